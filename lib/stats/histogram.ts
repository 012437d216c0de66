/**
 * Request latency histograms for `bench`, a thin layer over hdr-histogram-js.
 *
 * Values are recorded in whole microseconds with 3 significant digits, so every
 * percentile is within 0.1% of the true value whatever the spread, in constant
 * memory. Each worker records into its own histogram, sends it to the parent as
 * the library's compressed base64 encoding (a plain string crosses `postMessage`
 * and stdout), and the parent decodes them all and merges them once.
 *
 * @module
 */

import * as hdr from "hdr-histogram-js";
import type { Histogram } from "hdr-histogram-js";

/** Latency distribution of individual requests, in milliseconds. */
export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

/** A latency histogram holding microseconds. */
export type LatencyHistogram = Histogram;

/** Smallest distinguishable latency, in microseconds. */
export const LOWEST_US = 1;
/** Highest latency covered before the histogram has to grow: 60 s, in microseconds. */
export const HIGHEST_US = 60_000_000;
/** Significant decimal digits kept for every value. */
export const SIGNIFICANT_DIGITS = 3;

function build(): LatencyHistogram {
  return hdr.build({
    lowestDiscernibleValue: LOWEST_US,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    // The plain JS 32-bit buckets need no WebAssembly module to be loaded, which
    // keeps workers and the compiled binary free of any wasm bootstrap.
    bitBucketSize: 32,
    useWebAssembly: false,
    // A stalled request slower than 60 s must still be counted rather than throw
    // in the middle of a benchmark; the range only sizes the initial buckets.
    autoResize: true,
  });
}

/** A new, empty latency histogram (1 µs .. 60 s, 3 significant digits, grows if needed). */
export function createLatencyHistogram(): LatencyHistogram {
  return build();
}

/** Records one latency given in milliseconds (sub-millisecond values keep µs resolution). */
export function recordMs(h: LatencyHistogram, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`latency must be a finite, non-negative number of ms, got ${ms}`);
  }
  h.recordValue(Math.round(ms * 1000));
}

/** The histogram as the library's compressed base64 string. */
export function encodeHistogram(h: LatencyHistogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** A histogram back from {@link encodeHistogram}'s string; throws on a malformed string. */
export function decodeHistogram(s: string): LatencyHistogram {
  return hdr.decodeFromCompressedBase64(s, 32, false);
}

/** One new histogram holding every value of every histogram in `list`. */
export function mergeHistograms(list: readonly LatencyHistogram[]): LatencyHistogram {
  const merged = build();
  for (const h of list) merged.add(h);
  return merged;
}

/** Count, mean, p50 / p90 / p99 / p99.9 and max, in milliseconds; all zero when empty. */
export function summarizeLatency(h: LatencyHistogram): LatencySummary {
  const count = h.totalCount;
  if (count === 0) {
    return { count: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 };
  }
  const ms = (us: number) => us / 1000;
  return {
    count,
    meanMs: ms(h.mean),
    p50Ms: ms(h.getValueAtPercentile(50)),
    p90Ms: ms(h.getValueAtPercentile(90)),
    p99Ms: ms(h.getValueAtPercentile(99)),
    p999Ms: ms(h.getValueAtPercentile(99.9)),
    // Like the percentiles, the top of the max's bucket: a histogram that went
    // through encode/decode no longer knows the exact max, and reporting the same
    // bucket edge makes merged and single-histogram summaries agree.
    maxMs: ms(h.getValueAtPercentile(100)),
  };
}
