/**
 * Tests of the seeded RNG and the inter-event time distributions.
 *
 * @module
 */

import assert from "node:assert/strict";
import { drawSeconds, meanSeconds } from "../../lib/stats/distribution.ts";
import { createRng } from "../../lib/stats/rng.ts";

const N = 100_000;

function draws(kind: "det" | "uniform" | "exp", param: number, seed = 42): number[] {
  const rng = createRng(seed);
  return Array.from({ length: N }, () => drawSeconds({ kind, param }, rng));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

Deno.test("drawSeconds() exponential has mean 1/λ within 1%", () => {
  const xs = draws("exp", 4);
  assert.ok(Math.abs(mean(xs) / 0.25 - 1) < 0.01, `mean ${mean(xs)}`);
  assert.ok(xs.every((x) => x >= 0 && Number.isFinite(x)));
  assert.equal(meanSeconds({ kind: "exp", param: 4 }), 0.25);
});

Deno.test("drawSeconds() uniform stays in [0, T] with mean T/2 within 1%", () => {
  const xs = draws("uniform", 2);
  assert.ok(xs.every((x) => x >= 0 && x <= 2));
  assert.ok(Math.abs(mean(xs) - 1) < 0.01, `mean ${mean(xs)}`);
  assert.equal(meanSeconds({ kind: "uniform", param: 2 }), 1);
});

Deno.test("drawSeconds() deterministic returns the parameter exactly", () => {
  assert.ok(draws("det", 0.02).every((x) => x === 0.02));
});

Deno.test("createRng() repeats its sequence for a seed and differs across seeds", () => {
  assert.deepEqual(draws("uniform", 1, 7).slice(0, 50), draws("uniform", 1, 7).slice(0, 50));
  assert.notDeepEqual(draws("uniform", 1, 7).slice(0, 50), draws("uniform", 1, 8).slice(0, 50));
});
