/**
 * Tests of {@link EqualBins}: exact counts in bins of equal width that stay bounded however
 * wide the samples range, merges equal to one tally of everything, and fewer bins on demand.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fc } from "../support/fast_check.ts";
import { EqualBins, fewerBins, MAX_BINS, MIN_WIDTH_MS } from "../../lib/stats/equal_bins.ts";

function binsOf(values: readonly number[]): EqualBins {
  const bins = new EqualBins();
  for (const value of values) bins.add(value);
  return bins;
}

Deno.test("EqualBins counts each sample in the bin of its width, and doubles the width to keep at most 128", () => {
  const bins = binsOf([0, 0.0005, 0.0015, 0.01]).toJSON();
  assert.deepEqual(bins, { widthMs: MIN_WIDTH_MS, counts: [2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1] });
  const wide = binsOf([0.0015, 1000]).toJSON();
  assert.ok(wide.counts.length <= MAX_BINS && wide.counts.length > MAX_BINS / 2);
  assert.equal(wide.counts.reduce((a, b) => a + b, 0), 2);
  assert.equal(wide.counts.at(-1), 1, "the largest sample is in the last bin");
  assert.ok(1000 < wide.counts.length * wide.widthMs);
  assert.equal(Math.log2(wide.widthMs / MIN_WIDTH_MS) % 1, 0, "a power-of-two width");
});

Deno.test("EqualBins merged from parts equals one tally of every sample", () => {
  const sample = fc.array(fc.double({ min: 0, max: 120_000, noNaN: true }), { maxLength: 300 });
  fc.assert(fc.property(sample, sample, (a, b) => {
    const merged = binsOf(a).merge(JSON.parse(JSON.stringify(binsOf(b))));
    assert.deepEqual(merged.toJSON(), binsOf([...a, ...b]).toJSON());
  }));
});

Deno.test("fewerBins() sums neighbours in pairs down to the number asked", () => {
  const bins = { widthMs: 0.5, counts: [1, 2, 3, 4, 5] };
  assert.deepEqual(fewerBins(bins, 5), bins);
  assert.deepEqual(fewerBins(bins, 3), { widthMs: 1, counts: [3, 7, 5] });
  assert.deepEqual(fewerBins(bins, 2), { widthMs: 2, counts: [10, 5] });
});
