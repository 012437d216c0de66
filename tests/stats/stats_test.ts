/**
 * Tests of the exact sample statistics.
 *
 * @module
 */

import assert from "node:assert/strict";
import { quantile, summarize } from "../../lib/stats/stats.ts";

Deno.test("summarize() gives count, mean, min, median, p95, p99, max", () => {
  const values = Array.from({ length: 101 }, (_, i) => 100 - i);
  const s = summarize(values);
  const { cv, bins, ...rest } = s;
  assert.deepEqual(rest, { count: 101, mean: 50, min: 0, median: 50, p95: 95, p99: 99, max: 100 });
  // The sample's standard deviation is sqrt(101 × 102 / 12) for 0..100.
  assert.ok(Math.abs(cv - Math.sqrt((101 * 102) / 12) / 50) < 1e-12);
  assert.equal(bins.counts.reduce((a, b) => a + b, 0), 101);
  assert.equal(values[0], 100, "the input is not sorted in place");
});

Deno.test("summarize() of an empty sample is NaN but for the count", () => {
  const s = summarize([]);
  assert.equal(s.count, 0);
  assert.ok([s.mean, s.min, s.median, s.max].every(Number.isNaN));
});

Deno.test("quantile() interpolates between ranks", () => {
  assert.equal(quantile([10, 20], 0.5), 15);
  assert.equal(quantile([1, 2, 3, 4], 0.25), 1.75);
});
