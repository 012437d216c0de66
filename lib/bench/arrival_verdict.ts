/**
 * What `bench arrivals` concludes from a cell's gaps, against theory: the data gaps the server
 * saw against the distribution the client drew (Kolmogorov–Smirnov for uniform and
 * exponential draws, the spread around the interval for deterministic ones), and the
 * connection gaps against how the client opened its connections (all at once) or, for a
 * server that serves one connection at a time, against what queueing predicts (each next
 * connection accepted when the previous one ended, so each gap is the life of the connection
 * before it). Each comes with a plain verdict. Pure.
 *
 * @module
 */

import { type Distribution, meanSeconds } from "../stats/distribution.ts";
import { ksTest } from "../stats/kolmogorov_smirnov.ts";
import { meanInterval } from "../stats/mean_interval.ts";
import { quantile } from "../stats/stats.ts";
import { formatMs } from "../cli/units.ts";

/** Below this p-value the gaps are taken not to follow the drawn distribution. */
export const ALPHA = 0.01;

/**
 * How far a deterministic client's gaps may stray from the interval, in median, and still be
 * its interval: timers wake a little late on a busy machine.
 */
export function spreadTolerance(intervalMs: number): number {
  return Math.max(5, intervalMs * 0.05);
}

/** Gaps shorter than this came with the one before: messages that waited and came together. */
export const BURST_MS = 1;

/** The distribution's name as verdicts say it. */
const NAMES = { det: "deterministic", uniform: "uniform", exp: "exponential" } as const;

/** The theoretical mean (ms) and coefficient of variation of the drawn inter-event times. */
export function theoryOf(dist: Distribution): { meanMs: number; cv: number } {
  const cv = dist.kind === "det" ? 0 : dist.kind === "uniform" ? 1 / Math.sqrt(3) : 1;
  return { meanMs: meanSeconds(dist) * 1000, cv };
}

/** The drawn distribution's CDF over milliseconds. */
export function distributionCdf(dist: Distribution): (ms: number) => number {
  const s = (ms: number) => ms / 1000;
  switch (dist.kind) {
    case "det":
      return (ms) => s(ms) >= dist.param ? 1 : 0;
    case "uniform":
      return (ms) => Math.min(1, Math.max(0, s(ms) / dist.param));
    case "exp":
      return (ms) => ms <= 0 ? 0 : 1 - Math.exp(-dist.param * s(ms));
  }
}

/** The server's data gaps against the drawn distribution. */
export interface DataFit {
  theoryMeanMs: number;
  theoryCv: number;
  count: number;
  meanMs: number;
  /** The 95% confidence interval of the mean. */
  ciLowMs: number;
  ciHighMs: number;
  cv: number;
  medianMs: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** `ks` for uniform and exponential draws, `spread` for deterministic ones. */
  test: "ks" | "spread";
  /** KS: the statistic D; spread: the median distance from the interval in ms. */
  statistic: number;
  /** KS only. */
  pValue: number | null;
  consistent: boolean;
  verdict: string;
}

/** The data gaps (ms) of a cell against `dist`; undefined under two gaps. */
export function fitDataGaps(
  gaps: readonly number[],
  dist: Distribution,
  servesOneAtATime: boolean,
): DataFit | undefined {
  if (gaps.length < 2) return undefined;
  const sorted = Float64Array.from(gaps).sort();
  const mean = meanInterval(sorted);
  const theory = theoryOf(dist);
  const name = NAMES[dist.kind];
  const measured = {
    theoryMeanMs: theory.meanMs,
    theoryCv: theory.cv,
    count: sorted.length,
    meanMs: mean.mean,
    ciLowMs: mean.low,
    ciHighMs: mean.high,
    cv: mean.cv,
    medianMs: quantile(sorted, 0.5),
    p95Ms: quantile(sorted, 0.95),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1],
  };
  const bursts = sorted.filter((gap) => gap < BURST_MS).length;
  const expectedBursts = sorted.length * distributionCdf(dist)(BURST_MS);
  const why = bursts > expectedBursts + Math.max(2, sorted.length * 0.05)
    ? `: ${bursts} of ${sorted.length} gaps under ${BURST_MS} ms, messages that waited and came together${
      servesOneAtATime ? " (the iterative server queued the other workers)" : ""
    }`
    : "";
  if (dist.kind === "det") {
    const deviation = quantile(
      Float64Array.from(sorted, (gap) => Math.abs(gap - theory.meanMs)).sort(),
      0.5,
    );
    const tolerance = spreadTolerance(theory.meanMs);
    const consistent = deviation <= tolerance;
    const spread = `a median ${formatMs(deviation)} ms from the interval`;
    return {
      ...measured,
      test: "spread",
      statistic: deviation,
      pValue: null,
      consistent,
      verdict: consistent
        ? `consistent with the client's deterministic ${formatMs(theory.meanMs)} ms (${spread})`
        : `not: the gaps lie ${spread}, beyond the ${formatMs(tolerance)} ms timers explain${why}`,
    };
  }
  const { statistic, pValue } = ksTest(sorted, distributionCdf(dist));
  const consistent = pValue >= ALPHA;
  const ks = `KS D = ${statistic.toFixed(3)}, p = ${formatP(pValue)}`;
  return {
    ...measured,
    test: "ks",
    statistic,
    pValue,
    consistent,
    verdict: consistent
      ? `consistent with the client's ${name} (${ks})`
      : `not the client's ${name} (${ks})${why}`,
  };
}

/** A p-value in few digits: `0.42`, `0.0031`, `2e-9`. */
export function formatP(p: number): string {
  if (p >= 0.01) return p.toFixed(2);
  if (p >= 1e-4) return p.toPrecision(2);
  return p.toExponential(0);
}

/** The server's connection gaps against how they should have come. */
export interface ConnectionFit {
  count: number;
  meanMs: number;
  /** `at once`: the client opens every connection together; `queueing`: one after another. */
  model: "at once" | "queueing";
  /**
   * What queueing predicts: the mean life (open to close, as the server recorded it) of the
   * connections accepted just before each gap.
   */
  queueingMs: number;
  /** The mean absolute difference between each gap and the life of the connection before it. */
  deviationMs: number;
  /** Whether the gaps came as the model predicts. */
  asPredicted: boolean;
  verdict: string;
}

/**
 * The connection gaps (ms) of a cell. The client opens its connections at once; a server that
 * serves one at a time accepts each when the previous one ends, so queueing predicts each gap
 * to be the life of the connection accepted just before it: `livesBefore[i]`, from the
 * server's own open and close times, goes with `gaps[i]`. The last connection served makes no
 * gap, so its life is not among them. Undefined without a gap.
 */
export function fitConnectionGaps(
  gaps: readonly number[],
  livesBefore: readonly number[],
  servesOneAtATime: boolean,
): ConnectionFit | undefined {
  if (gaps.length === 0) return undefined;
  if (livesBefore.length !== gaps.length) {
    throw new RangeError(
      `fitConnectionGaps() takes one life per gap: ${livesBefore.length} lives for ${gaps.length} gaps`,
    );
  }
  const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const meanMs = mean(gaps);
  const queueingMs = mean(livesBefore);
  const deviationMs = mean(gaps.map((gap, i) => Math.abs(gap - livesBefore[i])));
  // Gap by gap, not mean against mean: gaps in another order than the lives are not queueing.
  const queued = deviationMs <= 0.2 * queueingMs + 50;
  // Nearer 0 than a connection's life: more like all at once than one after another.
  const atOnce = meanMs < 0.5 * queueingMs;
  const figures = `queueing predicts ${formatMs(queueingMs)} ms, measured ${formatMs(meanMs)} ms, ${
    formatMs(deviationMs)
  } ms off per gap`;
  const fit = { count: gaps.length, meanMs, queueingMs, deviationMs };
  if (servesOneAtATime) {
    return {
      ...fit,
      model: "queueing",
      asPredicted: queued,
      verdict: atOnce
        ? `consistent: accepted at once as the client opened them, though the server serves one at a time (mean ${
          formatMs(meanMs)
        } ms)`
        : `not at once as the client opened them: the iterative server queued the other workers, accepting each when the previous ended, ${
          queued ? "as queueing predicts" : "though not as closely as queueing predicts"
        } (${figures})`,
    };
  }
  return {
    ...fit,
    model: "at once",
    asPredicted: atOnce,
    verdict: atOnce
      ? `consistent: accepted at once as the client opened them (mean ${formatMs(meanMs)} ms)`
      : `not at once as the client opened them: a mean ${formatMs(meanMs)} ms apart (${figures})`,
  };
}
