/**
 * Exact summary statistics of a sample (count, mean, min, median, p95, p99, max, coefficient
 * of variation and equal-width bins) for the timestamp server's inter-arrival times. Pure: no
 * I/O, no clock.
 *
 * @module
 */

import { type BinsJson, EqualBins } from "./equal_bins.ts";

/** The summary of a sample of milliseconds; all numbers but the count are NaN when empty. */
export interface SampleSummary {
  count: number;
  mean: number;
  min: number;
  median: number;
  p95: number;
  p99: number;
  max: number;
  /**
   * Standard deviation (of the sample, n - 1) over the mean: 1 for Poisson arrivals, 0 for a
   * steady stream; NaN under two samples or with a mean of 0.
   */
  cv: number;
  /** The samples' counts in equal-width bins from 0 (see {@link EqualBins}). */
  bins: BinsJson;
}

/** {@link SampleSummary.cv} from the count, sum and sum of squares of the samples. */
export function coefficientOfVariation(count: number, sum: number, sumSq: number): number {
  if (count < 2 || sum === 0) return NaN;
  const mean = sum / count;
  // Rounding can leave a steady stream's variance a hair below zero.
  const variance = Math.max(0, (sumSq - count * mean * mean) / (count - 1));
  return Math.sqrt(variance) / mean;
}

/** The `q`-quantile (0..1) of an ascending sample, interpolating linearly between ranks. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = (sorted.length - 1) * q;
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/** Summarises `samples` (not modified). */
export function summarize(samples: ArrayLike<number>): SampleSummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  let sumSq = 0;
  const bins = new EqualBins();
  for (const value of sorted) {
    sum += value;
    sumSq += value * value;
    bins.add(value);
  }
  return {
    count: sorted.length,
    mean: sorted.length ? sum / sorted.length : NaN,
    min: sorted.length ? sorted[0] : NaN,
    median: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    cv: coefficientOfVariation(sorted.length, sum, sumSq),
    bins: bins.toJSON(),
  };
}
