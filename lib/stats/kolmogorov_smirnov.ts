/**
 * The one-sample Kolmogorov–Smirnov test: how far a sample's empirical CDF strays from a fully
 * specified continuous distribution (its parameters given, not fitted from the sample), and
 * the probability of straying that far by chance. `bench arrivals` tests a server's data gaps
 * with it against the distribution the client drew. Pure: no I/O.
 *
 * The p-value is exact up to {@link EXACT_UP_TO} samples, by the method of Marsaglia, Tsang
 * and Wang ("Evaluating Kolmogorov's distribution", J. Stat. Softw. 8(18), 2003), and above it
 * the asymptotic Kolmogorov distribution with Stephens' correction for n.
 *
 * @module
 */

/** Largest sample whose p-value is computed exactly. */
export const EXACT_UP_TO = 1000;

/** The statistic D and its p-value. */
export interface KsResult {
  /** sup |F_n(x) - F(x)|. */
  statistic: number;
  /** P(D ≥ statistic) for a sample of the same size drawn from F. */
  pValue: number;
}

/** D = sup |F_n(x) - F(x)| of `samples` (not modified) against `cdf`; NaN when empty. */
export function ksStatistic(samples: ArrayLike<number>, cdf: (x: number) => number): number {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  if (n === 0) return NaN;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/** The test of `samples` against `cdf`. */
export function ksTest(samples: ArrayLike<number>, cdf: (x: number) => number): KsResult {
  const statistic = ksStatistic(samples, cdf);
  return { statistic, pValue: ksPValue(statistic, samples.length) };
}

/** P(D_n ≥ d) for a sample of `n` from a continuous distribution. */
export function ksPValue(d: number, n: number): number {
  if (!(n > 0) || Number.isNaN(d)) return NaN;
  if (d <= 0) return 1;
  if (d >= 1) return 0;
  const p = n <= EXACT_UP_TO ? 1 - kolmogorovCdf(n, d) : asymptoticPValue(d, n);
  return Math.min(1, Math.max(0, p));
}

/** Q_KS((√n + 0.12 + 0.11/√n) d): Kolmogorov's limit with Stephens' small-sample correction. */
function asymptoticPValue(d: number, n: number): number {
  const root = Math.sqrt(n);
  const lambda = (root + 0.12 + 0.11 / root) * d;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = (k % 2 === 1 ? 2 : -2) * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-12) break;
  }
  return sum;
}

type Matrix = { values: Float64Array; exponent: number };

/**
 * P(D_n < d), Marsaglia, Tsang and Wang's H^n, with powers of 10 kept aside from overflow. Far
 * in the tail, where the matrix would grow with n × d, their closed form is within 1e-7 of it.
 */
function kolmogorovCdf(n: number, d: number): number {
  const s2 = d * d * n;
  if (s2 > 7.24 || (s2 > 3.76 && n > 99)) {
    return 1 - 2 * Math.exp(-(2.000071 + 0.331 / Math.sqrt(n) + 1.409 / n) * s2);
  }
  const k = Math.floor(n * d) + 1;
  const m = 2 * k - 1;
  const h = k - n * d;
  const values = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) values[i * m + j] = i - j + 1 < 0 ? 0 : 1;
  }
  for (let i = 0; i < m; i++) {
    values[i * m] -= h ** (i + 1);
    values[(m - 1) * m + i] -= h ** (m - i);
  }
  values[(m - 1) * m] += 2 * h - 1 > 0 ? (2 * h - 1) ** m : 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (i - j + 1 > 0) {
        for (let g = 1; g <= i - j + 1; g++) values[i * m + j] /= g;
      }
    }
  }
  const power = matrixPower({ values, exponent: 0 }, m, n);
  let s = power.values[(k - 1) * m + (k - 1)];
  let exponent = power.exponent;
  for (let i = 1; i <= n; i++) {
    s = (s * i) / n;
    if (s < 1e-140) {
      s *= 1e140;
      exponent -= 140;
    }
  }
  return s * 10 ** exponent;
}

function multiply(a: Matrix, b: Matrix, m: number): Matrix {
  const values = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let g = 0; g < m; g++) s += a.values[i * m + g] * b.values[g * m + j];
      values[i * m + j] = s;
    }
  }
  return { values, exponent: a.exponent + b.exponent };
}

function matrixPower(a: Matrix, m: number, n: number): Matrix {
  if (n === 1) return a;
  const half = matrixPower(a, m, Math.floor(n / 2));
  let result = multiply(half, half, m);
  if (n % 2 === 1) result = multiply(a, result, m);
  const centre = (m - 1) / 2;
  if (result.values[centre * m + centre] > 1e140) {
    for (let i = 0; i < m * m; i++) result.values[i] *= 1e-140;
    result.exponent += 140;
  }
  return result;
}
