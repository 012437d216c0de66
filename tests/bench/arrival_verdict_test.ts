/**
 * Tests of the verdicts of `bench arrivals`, both ways: gaps drawn from the client's
 * distribution are consistent with it; a deterministic stream whose gaps a server delayed, or
 * whose messages an iterative server queued, is not, with the reason; connections that came
 * at once, or one after another as queueing predicts.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  distributionCdf,
  fitConnectionGaps,
  fitDataGaps,
  theoryOf,
} from "../../lib/bench/arrival_verdict.ts";
import { drawSeconds } from "../../lib/stats/distribution.ts";
import { createRng } from "../../lib/stats/rng.ts";

const EXP = { kind: "exp", param: 1 } as const;
const DET = { kind: "det", param: 1 } as const;
const UNIFORM = { kind: "uniform", param: 2 } as const;

Deno.test("fitDataGaps() finds the client's own draws consistent with its distribution", () => {
  for (const dist of [EXP, UNIFORM]) {
    const random = createRng(9);
    const gaps = Array.from({ length: 300 }, () => drawSeconds(dist, random) * 1000);
    const fit = fitDataGaps(gaps, dist, false)!;
    assert.equal(fit.test, "ks");
    assert.ok(fit.consistent, fit.verdict);
    assert.match(fit.verdict, /^consistent with the client's (exponential|uniform) \(KS D = /);
    assert.ok(fit.ciLowMs <= 1000 && 1000 <= fit.ciHighMs, `95% CI ${fit.ciLowMs}-${fit.ciHighMs}`);
    assert.deepEqual([fit.theoryMeanMs, fit.theoryCv], [1000, theoryOf(dist).cv]);
  }
  // A steady stream, late by a little jitter, is the client's interval.
  const random = createRng(4);
  const steady = fitDataGaps(
    Array.from({ length: 50 }, () => 1000 + random() * 4 - 2),
    DET,
    false,
  )!;
  assert.equal(steady.test, "spread");
  assert.ok(steady.consistent, steady.verdict);
  assert.match(steady.verdict, /^consistent with the client's deterministic 1000\.0 ms/);
});

Deno.test("fitDataGaps() says not, and why, for a deterministic stream a server delayed or queued", () => {
  // Every third message held 400 ms by the server: the gaps stray far from the interval.
  const delayed = Array.from({ length: 30 }, (_, i) => [1400, 600, 1000][i % 3]);
  const fit = fitDataGaps(delayed, DET, false)!;
  assert.equal(fit.consistent, false);
  assert.match(
    fit.verdict,
    /^not: the gaps lie a median 400\.0 ms from the interval, beyond the 50\.00 ms timers explain$/,
  );
  // Messages an iterative server left waiting come together: gaps of nearly 0.
  const queued = [...Array(10).fill(1000), ...Array(10).fill(0.2), ...Array(10).fill(1000)];
  const uniform = fitDataGaps(queued.map((g, i) => g === 1000 ? 100 + i * 60 : g), UNIFORM, true)!;
  assert.equal(uniform.consistent, false);
  assert.match(
    uniform.verdict,
    /^not the client's uniform \(KS D = .*\): 10 of 30 gaps under 1 ms, messages that waited and came together \(the iterative server queued the other workers\)$/,
  );
  assert.equal(fitDataGaps([1000], DET, false), undefined);
});

Deno.test("fitConnectionGaps() tells connections at once from an iterative server's queue", () => {
  const lives = [5000, 5010];
  const concurrent = fitConnectionGaps([0.3, 0.4], lives, false)!;
  assert.ok(concurrent.asPredicted);
  assert.match(concurrent.verdict, /^consistent: accepted at once/);
  const iter = fitConnectionGaps([5020, 4995], lives, true)!;
  assert.ok(iter.asPredicted);
  assert.equal(iter.deviationMs, 17.5);
  assert.match(
    iter.verdict,
    /^not at once as the client opened them: the iterative server queued the other workers, accepting each when the previous ended, as queueing predicts \(queueing predicts 5005\.0 ms, measured 5007\.5 ms, 17\.50 ms off per gap\)$/,
  );
  const late = fitConnectionGaps([3000, 3200], lives, false)!;
  assert.equal(late.asPredicted, false);
  assert.match(late.verdict, /^not at once as the client opened them: a mean 3100\.0 ms apart/);
});

Deno.test("fitConnectionGaps() predicts each gap from the life before it, not their mean", () => {
  // Lives 1000, 3000, 2000 accepted back to back: the gaps are the first two lives exactly.
  const exact = fitConnectionGaps([1000, 3000], [1000, 3000], true)!;
  assert.equal(exact.queueingMs, 2000);
  assert.equal(exact.deviationMs, 0);
  assert.ok(exact.asPredicted);
  // The same mean in the other order is not each accepted when the one before it ended.
  const swapped = fitConnectionGaps([3000, 1000], [1000, 3000], true)!;
  assert.equal(swapped.deviationMs, 2000);
  assert.equal(swapped.asPredicted, false);
  assert.match(swapped.verdict, /though not as closely as queueing predicts/);
  assert.throws(() => fitConnectionGaps([1000], [1000, 3000], true), /one life per gap/);
});

Deno.test("distributionCdf() is the drawn distribution's, over milliseconds", () => {
  assert.equal(distributionCdf(DET)(999), 0);
  assert.equal(distributionCdf(DET)(1000), 1);
  assert.equal(distributionCdf(UNIFORM)(500), 0.25);
  assert.ok(Math.abs(distributionCdf(EXP)(1000) - (1 - Math.exp(-1))) < 1e-12);
});
