/**
 * A bounded accumulator for a stream of samples in milliseconds (the timestamp server's data
 * inter-arrival times): exact count, sum, min and max, and an HDR histogram (1 µs resolution,
 * 3 significant digits, see {@link createLatencyHistogram}) for the percentiles, the sum of
 * squares for the coefficient of variation, and {@link EqualBins} for the shape. Memory stays
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
import { type BinsJson, EqualBins } from "./equal_bins.ts";
import { coefficientOfVariation, type SampleSummary, summarize } from "./stats.ts";

/** How many samples are kept as they are before they move into the histogram. */
export const RAW_LIMIT = 256;

/** A {@link SampleStats} as plain JSON. */
export interface SampleStatsJson {
  count: number;
  /** The sum in whole microseconds. */
  sumUs: number;
  /** The sum of the squares of the samples in whole microseconds. */
  sumSqUs2: number;
  /** Meaningless (0) when `count` is 0. */
  min: number;
  max: number;
  /** Samples not in the histogram, in milliseconds. */
  values: number[];
  /** The histogram of the other samples (microseconds), compressed base64; absent if none. */
  histogram?: string;
  /** The equal-width bins of the other samples; absent if none. */
  bins?: BinsJson;
}

/**
 * Count, sum, min, max and percentiles of millisecond samples, in bounded memory. The sum is
 * kept in whole microseconds, so it is exact (up to 285 years) and merges do not depend on the
 * order floating-point additions happen in.
 */
export class SampleStats {
  #count = 0;
  #sumUs = 0;
  #sumSqUs2 = 0;
  #min = Infinity;
  #max = -Infinity;
  #values: number[] = [];
  #histogram: LatencyHistogram | undefined;
  #bins: EqualBins | undefined;

  /** How many samples were added or merged in. */
  get count(): number {
    return this.#count;
  }

  /** Adds one sample; a non-finite one is ignored (it would poison the sum). */
  add(ms: number): void {
    if (!Number.isFinite(ms)) return;
    this.#count++;
    const us = Math.round(ms * 1000);
    this.#sumUs += us;
    this.#sumSqUs2 += us * us;
    if (ms < this.#min) this.#min = ms;
    if (ms > this.#max) this.#max = ms;
    this.#keep(ms);
  }

  /** Adds every sample of `other` (left unchanged); returns this. */
  merge(other: SampleStats): this {
    if (other.#count === 0) return this;
    this.#count += other.#count;
    this.#sumUs += other.#sumUs;
    this.#sumSqUs2 += other.#sumSqUs2;
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
    for (const value of other.#values) this.#keep(value);
    if (other.#histogram) (this.#histogram ??= createLatencyHistogram()).add(other.#histogram);
    if (other.#bins) (this.#bins ??= new EqualBins()).merge(other.#bins.toJSON());
    return this;
  }

  /** The accumulator as plain JSON, for `postMessage` and JSON lines. */
  toJSON(): SampleStatsJson {
    const json: SampleStatsJson = {
      count: this.#count,
      sumUs: this.#sumUs,
      sumSqUs2: this.#sumSqUs2,
      min: this.#count > 0 ? this.#min : 0,
      max: this.#count > 0 ? this.#max : 0,
      values: [...this.#values],
    };
    if (this.#histogram && this.#histogram.totalCount > 0) {
      json.histogram = encodeHistogram(this.#histogram);
      json.bins = this.#bins!.toJSON();
    }
    return json;
  }

  /** An accumulator back from {@link SampleStats.toJSON}. */
  static fromJSON(json: SampleStatsJson): SampleStats {
    const stats = new SampleStats();
    if (json.count === 0) return stats;
    stats.#count = json.count;
    stats.#sumUs = json.sumUs;
    stats.#sumSqUs2 = json.sumSqUs2;
    stats.#min = json.min;
    stats.#max = json.max;
    stats.#values = [...json.values];
    if (json.histogram !== undefined) stats.#histogram = decodeHistogram(json.histogram);
    if (json.bins !== undefined) stats.#bins = EqualBins.fromJSON(json.bins);
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
    this.#sumSqUs2 = 0;
    this.#min = Infinity;
    this.#max = -Infinity;
    this.#values = [];
    this.#histogram?.reset();
    this.#bins = undefined;
    return json;
  }

  /**
   * Count, min and max exact, the mean exact to the microsecond and the coefficient of
   * variation from the same rounded samples; median, p95 and p99 from the histogram (within
   * 0.1%), kept within [min, max]; the bins exact. All NaN but the count (and no bins) when
   * empty.
   */
  summary(): SampleSummary {
    if (this.#count === 0) return summarize([]);
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
      cv: coefficientOfVariation(this.#count, this.#sumUs, this.#sumSqUs2),
      bins: this.#bins!.toJSON(),
    };
  }

  #keep(ms: number): void {
    this.#values.push(ms);
    if (this.#values.length >= RAW_LIMIT) this.#spill();
  }

  /** Moves the kept samples into the histogram (rounded to whole microseconds) and the bins. */
  #spill(): void {
    const histogram = this.#histogram ??= createLatencyHistogram();
    const bins = this.#bins ??= new EqualBins();
    for (const ms of this.#values) {
      histogram.recordValue(Math.round(Math.max(0, ms) * 1000));
      bins.add(ms);
    }
    this.#values = [];
  }
}
