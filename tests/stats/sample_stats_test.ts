/**
 * Tests of {@link SampleStats}: exact count, mean, min and max, percentiles within the
 * histogram's precision, exact merges, and deltas that survive JSON and add up to the whole.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fc } from "../support/fast_check.ts";
import { RAW_LIMIT, SampleStats } from "../../lib/stats/sample_stats.ts";
import { createRng } from "../../lib/stats/rng.ts";
import { type SampleSummary, summarize } from "../../lib/stats/stats.ts";

function statsOf(values: readonly number[]): SampleStats {
  const stats = new SampleStats();
  for (const value of values) stats.add(value);
  return stats;
}

/** Through JSON text, as between a worker or child and the parent. */
function roundTrip(stats: SampleStats): SampleStats {
  return SampleStats.fromJSON(JSON.parse(JSON.stringify(stats)));
}

/** Nearest-rank percentile, as HDR histograms define it. */
function exactPercentile(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p * sorted.length) / 100)) - 1];
}

const sample = fc.array(fc.double({ min: 0, max: 120_000, noNaN: true }), { maxLength: 700 });

Deno.test("SampleStats keeps count, min and max exact, the mean to 1 µs, percentiles within 0.1%", () => {
  const random = createRng(11);
  // A long tail well past the histogram's initial 60 s range.
  const values = Array.from({ length: 50_000 }, () => -40 * Math.log(1 - random()));
  values.push(90_000);
  const s = statsOf(values).summary();
  const sorted = [...values].sort((a, b) => a - b);
  assert.equal(s.count, values.length);
  assert.equal(s.min, sorted[0]);
  assert.equal(s.max, 90_000);
  const sum = values.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(s.mean - sum / values.length) <= 0.0005, "the mean, to the microsecond");
  for (const [p, got] of [[50, s.median], [95, s.p95], [99, s.p99]]) {
    const want = exactPercentile(sorted, p);
    assert.ok(Math.abs(got - want) <= want * 1e-3 + 0.001, `p${p}: ${got} vs ${want}`);
  }
});

Deno.test("SampleStats of nothing is NaN but for the count", () => {
  const s = new SampleStats().summary();
  assert.equal(s.count, 0);
  assert.ok([s.mean, s.min, s.median, s.p95, s.p99, s.max].every(Number.isNaN));
  assert.deepEqual(roundTrip(new SampleStats()).summary().count, 0);
});

Deno.test("SampleStats percentiles stay within [min, max]", () => {
  const s = statsOf(Array.from({ length: 1000 }, () => 20.003)).summary();
  assert.deepEqual([s.min, s.median, s.p95, s.p99, s.max], [
    20.003,
    20.003,
    20.003,
    20.003,
    20.003,
  ]);
});

/**
 * `actual` equals `expected` but for the coefficient of variation, which may differ in its last
 * bits: it comes from a sum of squared microseconds, and a square past 2^53 rounds, so two
 * partial sums added differ from one sum by rounding. The rest is exact.
 */
function assertSameSummary(actual: SampleSummary, expected: SampleSummary): void {
  const { cv, ...rest } = actual;
  const { cv: expectedCv, ...expectedRest } = expected;
  assert.deepEqual(rest, expectedRest);
  if (Number.isNaN(expectedCv)) assert.ok(Number.isNaN(cv));
  else {assert.ok(
      Math.abs(cv - expectedCv) <= 1e-12 * Math.max(1, expectedCv),
      `cv ${cv} for ${expectedCv}`,
    );}
}

Deno.test("SampleStats merge of two equals recording everything in one, through JSON too", () => {
  fc.assert(
    fc.property(sample, sample, (a, b) => {
      const whole = statsOf([...a, ...b]).summary();
      assertSameSummary(statsOf(a).merge(statsOf(b)).summary(), whole);
      assertSameSummary(roundTrip(statsOf(a)).merge(roundTrip(statsOf(b))).summary(), whole);
    }),
    // A case whose squares round (CI found it): the CVs differed in their last bit.
    { numRuns: 200, examples: [[[0.1085], [0.0005, 94906.2655]]] },
  );
});

Deno.test("SampleStats take() hands out deltas that merge back to the whole", () => {
  fc.assert(
    fc.property(fc.array(sample, { maxLength: 6 }), (batches) => {
      const live = new SampleStats();
      const parent = new SampleStats();
      for (const batch of batches) {
        for (const value of batch) live.add(value);
        parent.merge(SampleStats.fromJSON(JSON.parse(JSON.stringify(live.take()))));
      }
      assert.equal(live.count, 0);
      assertSameSummary(parent.summary(), statsOf(batches.flat()).summary());
    }),
    { numRuns: 100 },
  );
});

Deno.test("SampleStats holds a million samples in bounded memory", () => {
  const stats = new SampleStats();
  for (let i = 0; i < 1_000_000; i++) stats.add(i % 2 === 0 ? 0 : 0.5);
  const json = stats.toJSON();
  assert.ok(json.values.length < RAW_LIMIT);
  assert.ok(json.histogram !== undefined && json.histogram.length < 1000);
  const s = roundTrip(stats).summary();
  assert.deepEqual([s.count, s.min, s.max, s.mean], [1_000_000, 0, 0.5, 0.25]);
});

Deno.test("SampleStats ignores non-finite samples", () => {
  const stats = statsOf([1, NaN, Infinity, 3]);
  assert.deepEqual(stats.summary().count, 2);
  assert.equal(stats.summary().mean, 2);
});

Deno.test("SampleStats gives the coefficient of variation and equal-width bins of every sample", () => {
  const random = createRng(5);
  const values = Array.from({ length: 20_000 }, () => -100 * Math.log(1 - random()));
  const s = statsOf(values).summary();
  assert.ok(Math.abs(s.cv - 1) < 0.03, `exponential CV ${s.cv}`);
  assert.deepEqual(s.bins, summarize(values).bins);
  assert.equal(statsOf([20, 20, 20, 20]).summary().cv, 0);
  const two = statsOf([10, 30]).summary();
  assert.ok(Math.abs(two.cv - Math.sqrt(200) / 20) < 1e-12, `CV ${two.cv}`);
  assert.ok(Number.isNaN(statsOf([10]).summary().cv), "no spread from one sample");
});
