/**
 * A bounded accumulator for a stream of samples in milliseconds (the timestamp server's data
 * inter-arrival times): exact count, sum, min and max, and an HDR histogram (1 µs resolution,
 * 3 significant digits, see {@link createLatencyHistogram}) for the percentiles. Memory stays
 * constant however many samples arrive; the first {@link RAW_LIMIT} are kept as they are and
 * then move into the histogram, so a connection with a few messages costs a few numbers rather
 * than a 70 KB histogram. Accumulators merge exactly, and cross worker and process borders as
 * {@link SampleStatsJson}.
 *
 * @module
 */

import {
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  type LatencyHistogram,
} from "./histogram.ts";
import type { SampleSummary } from "./stats.ts";

/** How many samples are kept as they are before they move into the histogram. */
export const RAW_LIMIT = 256;

/** A {@link SampleStats} as plain JSON. */
export interface SampleStatsJson {
  count: number;
  /** The sum in whole microseconds. */
  sumUs: number;
  /** Meaningless (0) when `count` is 0. */
  min: number;
  max: number;
  /** Samples not in the histogram, in milliseconds. */
  values: number[];
  /** The histogram of the other samples (microseconds), compressed base64; absent if none. */
  histogram?: string;
}

/**
 * Count, sum, min, max and percentiles of millisecond samples, in bounded memory. The sum is
 * kept in whole microseconds, so it is exact (up to 285 years) and merges do not depend on the
 * order floating-point additions happen in.
 */
export class SampleStats {
  #count = 0;
  #sumUs = 0;
  #min = Infinity;
  #max = -Infinity;
  #values: number[] = [];
  #histogram: LatencyHistogram | undefined;

  /** How many samples were added or merged in. */
  get count(): number {
    return this.#count;
  }

  /** Adds one sample; a non-finite one is ignored (it would poison the sum). */
  add(ms: number): void {
    if (!Number.isFinite(ms)) return;
    this.#count++;
    this.#sumUs += Math.round(ms * 1000);
    if (ms < this.#min) this.#min = ms;
    if (ms > this.#max) this.#max = ms;
    this.#keep(ms);
  }

  /** Adds every sample of `other` (left unchanged); returns this. */
  merge(other: SampleStats): this {
    if (other.#count === 0) return this;
    this.#count += other.#count;
    this.#sumUs += other.#sumUs;
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
    for (const value of other.#values) this.#keep(value);
    if (other.#histogram) (this.#histogram ??= createLatencyHistogram()).add(other.#histogram);
    return this;
  }

  /** The accumulator as plain JSON, for `postMessage` and JSON lines. */
  toJSON(): SampleStatsJson {
    const json: SampleStatsJson = {
      count: this.#count,
      sumUs: this.#sumUs,
      min: this.#count > 0 ? this.#min : 0,
      max: this.#count > 0 ? this.#max : 0,
      values: [...this.#values],
    };
    if (this.#histogram && this.#histogram.totalCount > 0) {
      json.histogram = encodeHistogram(this.#histogram);
    }
    return json;
  }

  /** An accumulator back from {@link SampleStats.toJSON}. */
  static fromJSON(json: SampleStatsJson): SampleStats {
    const stats = new SampleStats();
    if (json.count === 0) return stats;
    stats.#count = json.count;
    stats.#sumUs = json.sumUs;
    stats.#min = json.min;
    stats.#max = json.max;
    stats.#values = [...json.values];
    if (json.histogram !== undefined) stats.#histogram = decodeHistogram(json.histogram);
    return stats;
  }

  /**
   * Everything added since the last `take` (or since creation) as JSON, leaving this empty:
   * the deltas a pool member reports, which the parent merges back exactly. The histogram's
   * memory is kept for the next samples.
   */
  take(): SampleStatsJson {
    const json = this.toJSON();
    this.#count = 0;
    this.#sumUs = 0;
    this.#min = Infinity;
    this.#max = -Infinity;
    this.#values = [];
    this.#histogram?.reset();
    return json;
  }

  /**
   * Count, min and max exact, the mean exact to the microsecond; median, p95 and p99 from the
   * histogram (within 0.1%),
   * kept within [min, max]. All NaN but the count when empty.
   */
  summary(): SampleSummary {
    if (this.#count === 0) {
      return { count: 0, mean: NaN, min: NaN, median: NaN, p95: NaN, p99: NaN, max: NaN };
    }
    this.#spill();
    const at = (percentile: number) =>
      Math.min(
        this.#max,
        Math.max(this.#min, this.#histogram!.getValueAtPercentile(percentile) / 1000),
      );
    return {
      count: this.#count,
      mean: this.#sumUs / this.#count / 1000,
      min: this.#min,
      median: at(50),
      p95: at(95),
      p99: at(99),
      max: this.#max,
    };
  }

  #keep(ms: number): void {
    this.#values.push(ms);
    if (this.#values.length >= RAW_LIMIT) this.#spill();
  }

  /** Moves the kept samples into the histogram (rounded to whole microseconds). */
  #spill(): void {
    const histogram = this.#histogram ??= createLatencyHistogram();
    for (const ms of this.#values) histogram.recordValue(Math.round(Math.max(0, ms) * 1000));
    this.#values = [];
  }
}
