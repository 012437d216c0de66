/**
 * The 95% confidence interval for the mean of a sample, from Student's t distribution: how
 * close a measured mean inter-arrival time is to the theoretical one, given how many gaps
 * there were and how much they spread. Pure: no I/O.
 *
 * @module
 */

/** t quantiles at 0.975 for 1 to 30 degrees of freedom (from scipy.stats.t.ppf). */
const T_975 = [
  12.7062,
  4.3027,
  3.1824,
  2.7764,
  2.5706,
  2.4469,
  2.3646,
  2.306,
  2.2622,
  2.2281,
  2.201,
  2.1788,
  2.1604,
  2.1448,
  2.1314,
  2.1199,
  2.1098,
  2.1009,
  2.093,
  2.086,
  2.0796,
  2.0739,
  2.0687,
  2.0639,
  2.0595,
  2.0555,
  2.0518,
  2.0484,
  2.0452,
  2.0423,
];

/** The normal quantile at 0.975. */
const Z_975 = 1.959963984540054;

/**
 * Student's t quantile at 0.975 for `df` degrees of freedom: the table up to 30, then the
 * Cornish–Fisher expansion around the normal quantile (within 1e-5 from 30 on).
 */
export function tQuantile975(df: number): number {
  if (df < 1) return NaN;
  if (df <= T_975.length) return T_975[Math.floor(df) - 1];
  const z = Z_975;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2) +
    (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3);
}

/** A sample's mean with its 95% confidence interval, standard deviation and CV. */
export interface MeanInterval {
  count: number;
  mean: number;
  /** Bounds of the 95% interval; NaN under two samples. */
  low: number;
  high: number;
  /** The sample's standard deviation (n - 1). */
  sd: number;
  /** sd / mean; NaN under two samples or with a mean of 0. */
  cv: number;
}

/** The mean of `samples` and its 95% confidence interval. */
export function meanInterval(samples: ArrayLike<number>): MeanInterval {
  const n = samples.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += samples[i];
  const mean = n > 0 ? sum / n : NaN;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (samples[i] - mean) ** 2;
  const sd = n > 1 ? Math.sqrt(squares / (n - 1)) : NaN;
  const half = tQuantile975(n - 1) * sd / Math.sqrt(n);
  return {
    count: n,
    mean,
    low: mean - half,
    high: mean + half,
    sd,
    cv: mean === 0 ? NaN : sd / mean,
  };
}
