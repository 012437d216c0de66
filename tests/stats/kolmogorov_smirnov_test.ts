/**
 * Tests of the Kolmogorov–Smirnov test against scipy 1.17: `scipy.stats.kstwo.sf` for the
 * p-values, `scipy.stats.kstest` for whole tests.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ksPValue, ksStatistic, ksTest } from "../../lib/stats/kolmogorov_smirnov.ts";
import { createRng } from "../../lib/stats/rng.ts";

function near(got: number, want: number, tolerance: number, what: string) {
  assert.ok(Math.abs(got - want) <= tolerance, `${what}: ${got}, expected ${want}`);
}

Deno.test("ksPValue() matches scipy's exact distribution of D, and its tail", () => {
  const known: [number, number, number][] = [
    [5, 0.3, 0.664],
    [10, 0.2, 0.74871904],
    [20, 0.35, 0.01075496344438931],
    [50, 0.1, 0.6623112704658186],
    [100, 0.05, 0.9532159710635725],
    [100, 0.2, 0.0005551927327988775],
    [500, 0.04, 0.3902508696049749],
    [1000, 0.03, 0.3226902143914636],
    [3, 0.9, 0.002],
    [30, 0.5, 1.8467310029604193e-7],
  ];
  for (const [n, d, p] of known) {
    near(ksPValue(d, n), p, Math.max(1e-6, p * 1e-4), `n ${n}, D ${d}`);
  }
  // Past the exact range, the asymptotic form is within a few thousandths.
  near(ksPValue(0.03, 2000), 0.05354694793932557, 0.003, "n 2000, D 0.03");
  assert.equal(ksPValue(0, 10), 1);
  assert.equal(ksPValue(1, 10), 0);
});

Deno.test("ksTest() gives scipy's statistic and p-value for small samples", () => {
  const exponential = (x: number) => x <= 0 ? 0 : 1 - Math.exp(-x);
  const e = ksTest([0.1, 0.5, 0.9, 1.7, 2.2, 0.05, 3.1, 0.8], exponential);
  near(e.statistic, 0.1923164759472653, 1e-12, "exponential D");
  near(e.pValue, 0.878222812767388, 1e-6, "exponential p");
  const uniform = (x: number) => Math.min(1, Math.max(0, x));
  const u = ksTest([0.1, 0.3, 0.35, 0.6, 0.95], uniform);
  near(u.statistic, 0.25, 1e-12, "uniform D");
  near(u.pValue, 0.8446, 1e-6, "uniform p");
});

Deno.test("ksTest() keeps the distribution a sample came from and rejects another", () => {
  const random = createRng(3);
  const draws = Array.from({ length: 400 }, () => -Math.log(1 - random()) * 50);
  const exponential = (x: number) => 1 - Math.exp(-x / 50);
  assert.ok(ksTest(draws, exponential).pValue > 0.05);
  const uniform = (x: number) => Math.min(1, Math.max(0, x / 100));
  assert.ok(ksTest(draws, uniform).pValue < 1e-6);
  assert.ok(Number.isNaN(ksStatistic([], exponential)));
});
