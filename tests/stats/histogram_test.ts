/**
 * Tests for the HDR latency histogram wrapper in lib/stats/histogram.ts.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  type LatencyHistogram,
  mergeHistograms,
  recordMs,
  summarizeLatency,
} from "../../lib/stats/histogram.ts";
import { createRng } from "../../lib/stats/rng.ts";

/** 3 significant digits: a reported value is within 0.1% of the true one (plus 1 µs of rounding). */
function assertClose(actual: number, expected: number, what: string) {
  const tolerance = expected * 2e-3 + 0.001;
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} not within ${tolerance} of ${expected}`,
  );
}

/** Exact percentile by nearest rank, as HDR histograms define it. */
function exactPercentile(sorted: number[], p: number): number {
  // p * n / 100 keeps whole ranks whole (99.9 / 100 * n does not in floating point).
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100));
  return sorted[rank - 1];
}

function recordAll(values: number[]): LatencyHistogram {
  const h = createLatencyHistogram();
  for (const v of values) recordMs(h, v);
  return h;
}

Deno.test("summarizeLatency() gives the percentiles of a uniform spread", () => {
  // 0.001 ms .. 100 ms in 1 µs steps: p-th percentile is p ms.
  const values = Array.from({ length: 100_000 }, (_, i) => (i + 1) / 1000);
  const s = summarizeLatency(recordAll(values));
  assert.equal(s.count, 100_000);
  assertClose(s.p50Ms, 50, "p50");
  assertClose(s.p90Ms, 90, "p90");
  assertClose(s.p99Ms, 99, "p99");
  assertClose(s.p999Ms, 99.9, "p99.9");
  assertClose(s.maxMs, 100, "max");
  assertClose(s.meanMs, 50.0005, "mean");
});

Deno.test("summarizeLatency() matches exact percentiles of an exponential sample", () => {
  const random = createRng(42);
  // Mean 20 ms with a long tail, the usual shape of response times.
  const values = Array.from({ length: 50_000 }, () => -20 * Math.log(1 - random()));
  const sorted = values.map((v) => Math.round(v * 1000) / 1000).sort((a, b) => a - b);
  const s = summarizeLatency(recordAll(values));
  assert.equal(s.count, values.length);
  assertClose(s.p50Ms, exactPercentile(sorted, 50), "p50");
  assertClose(s.p90Ms, exactPercentile(sorted, 90), "p90");
  assertClose(s.p99Ms, exactPercentile(sorted, 99), "p99");
  assertClose(s.p999Ms, exactPercentile(sorted, 99.9), "p99.9");
  assertClose(s.maxMs, sorted[sorted.length - 1], "max");
  assertClose(s.meanMs, sorted.reduce((a, b) => a + b, 0) / sorted.length, "mean");
  assert.ok(s.p50Ms < s.p90Ms && s.p90Ms < s.p99Ms && s.p99Ms <= s.p999Ms && s.p999Ms <= s.maxMs);
});

Deno.test("recordMs() keeps sub-millisecond and beyond-60-s latencies", () => {
  const s = summarizeLatency(recordAll([0.25, 0.25, 0.25, 90_000]));
  assert.equal(s.count, 4);
  assertClose(s.p50Ms, 0.25, "p50");
  assertClose(s.maxMs, 90_000, "max");
});

Deno.test("recordMs() rejects negative and non-finite latencies", () => {
  const h = createLatencyHistogram();
  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => recordMs(h, bad), RangeError);
  }
  assert.equal(summarizeLatency(h).count, 0);
});

Deno.test("summarizeLatency() of an empty histogram is all zero", () => {
  assert.deepEqual(summarizeLatency(createLatencyHistogram()), {
    count: 0,
    meanMs: 0,
    p50Ms: 0,
    p90Ms: 0,
    p99Ms: 0,
    p999Ms: 0,
    maxMs: 0,
  });
});

Deno.test("encode → decode → merge equals recording everything in one histogram", () => {
  const random = createRng(7);
  const values = Array.from({ length: 20_000 }, () => random() * random() * 5_000);
  // Four "workers" with uneven shares, one of them empty.
  const shares = [values.slice(0, 1_000), values.slice(1_000, 12_000), [], values.slice(12_000)];
  const encoded = shares.map((share) => encodeHistogram(recordAll(share)));
  const decoded = encoded.map(decodeHistogram);
  assert.deepEqual(decoded.map((h) => h.totalCount), shares.map((s) => s.length));

  const merged = mergeHistograms(decoded);
  const single = recordAll(values);
  assert.deepEqual(summarizeLatency(merged), summarizeLatency(single));
  for (let p = 1; p <= 100; p++) {
    assert.equal(merged.getValueAtPercentile(p), single.getValueAtPercentile(p), `p${p}`);
  }
  // Merging builds a new histogram and leaves the inputs as they were.
  assert.deepEqual(decoded.map((h) => h.totalCount), shares.map((s) => s.length));
  assert.equal(summarizeLatency(mergeHistograms([])).count, 0);
});

Deno.test("decodeHistogram() rejects a malformed string", () => {
  assert.throws(() => decodeHistogram("not a histogram"), /Invalid string/);
});
