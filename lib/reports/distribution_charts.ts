/**
 * The view of one inter-arrival distribution as it is: a histogram of counts in the summary's
 * equal-width bins, and the empirical CDF, each with a reference distribution drawn over it
 * (by default the exponential of the same mean, which Poisson arrivals would give). Its log
 * option is for heavy tails: a log count axis on the histogram and, on the CDF, the share of
 * gaps longer than t on a log axis, where an exponential is a straight line and a few long
 * gaps stand out. `serve --html` shows it for connection and data gaps, `bench arrivals` for
 * every cell against the distribution the client drew.
 *
 * @module
 */

import { type BinsJson, fewerBins, MAX_BINS } from "../stats/equal_bins.ts";
import type { SampleSummary } from "../stats/stats.ts";
import type { TopLevelSpec } from "vega-lite";
import { type Chart, formatValue, SERIES_SCHEME } from "./chart.ts";

/** A distribution to draw over the measured one, by its cumulative distribution function. */
export interface DistributionReference {
  /** How the legend names it, e.g. `exponential, mean 100 ms (Poisson arrivals)`. */
  name: string;
  /** P(gap ≤ ms). */
  cdf(ms: number): number;
}

/** Points the reference CDF is drawn through. */
const CURVE_POINTS = 120;

/** The exponential of `meanMs`: the gaps of Poisson arrivals at that mean. */
export function exponentialReference(meanMs: number): DistributionReference {
  return {
    name: `exponential, mean ${formatValue(meanMs)} ms (Poisson arrivals)`,
    cdf: (ms) => ms <= 0 ? 0 : 1 - Math.exp(-ms / meanMs),
  };
}

/** Each bin's edges and count, up to the last bin holding a sample. */
function binsOf({ widthMs, counts }: BinsJson): { fromMs: number; toMs: number; count: number }[] {
  return counts.map((count, i) => ({ fromMs: i * widthMs, toMs: (i + 1) * widthMs, count }));
}

/**
 * How many bars a histogram of `count` samples gets at most: twice the square root, so that
 * a bar holds a few samples rather than noise, between 8 and {@link MAX_BINS}.
 */
function barsFor(count: number): number {
  return Math.min(MAX_BINS, Math.max(8, Math.round(2 * Math.sqrt(count))));
}

type Layer = Record<string, unknown>;

function chartOf(
  title: string,
  scaleLabel: string,
  series: string[],
  labels: Record<string, number>,
  layers: (log: boolean, legend: boolean) => Layer[],
): Chart {
  return {
    title,
    series,
    timeScale: "linear",
    scaleLabel,
    labels,
    spec: ({ timeScale, legend }) =>
      ({
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        title,
        width: 560,
        height: 260,
        background: "white",
        layer: layers(timeScale === "log", legend),
        // The layers are built as plain objects; Vega-Lite checks them when it compiles.
      }) as unknown as TopLevelSpec,
  };
}

/** A layer's color, the same as the page's legend gives its series. */
function colorOf(series: string[], index: number, legend: boolean) {
  return {
    datum: series[index],
    type: "nominal",
    title: null,
    scale: { domain: series, scheme: SERIES_SCHEME },
    legend: legend ? { labelLimit: 1000, orient: "top" } : null,
  };
}

/**
 * The histogram and the empirical CDF of `s`, `what` naming its samples (`data gaps`), with
 * `reference` over both; none for fewer than two samples.
 */
export function distributionCharts(
  title: string,
  what: string,
  s: SampleSummary,
  reference: DistributionReference = exponentialReference(s.mean),
): Chart[] {
  if (s.count < 2) return [];
  const series = [what, reference.name];
  // The CDF steps through the fine bins; the histogram draws fewer, fuller ones.
  const bins = binsOf(s.bins);
  const wide = fewerBins(s.bins, barsFor(s.count));
  const endMs = wide.counts.length * wide.widthMs;
  const x = (field: string) => ({
    field,
    type: "quantitative",
    title: "Inter-arrival time (ms)",
    scale: { domain: [0, endMs], nice: false },
  });

  const histLabels: Record<string, number> = {};
  const bars = binsOf(wide).map((b) => {
    const label = `${formatValue(b.fromMs)}\u2013${
      formatValue(b.toMs)
    } ms: ${b.count} of ${s.count} ${what}`;
    histLabels[label] = 0;
    return { ...b, label };
  });
  const expected = binsOf(wide).map((b) => {
    const count = s.count * (reference.cdf(b.toMs) - reference.cdf(b.fromMs));
    const atMs = (b.fromMs + b.toMs) / 2;
    const label = `${reference.name}: ${count.toFixed(1)} expected in ${
      formatValue(b.fromMs)
    }\u2013${formatValue(b.toMs)} ms`;
    histLabels[label] = 1;
    return { atMs, count, label };
  });
  // On a log count axis bars start at this floor, under a single sample.
  const floor = 0.1;
  const histogram = chartOf(
    `${title}: histogram`,
    "Count axis",
    series,
    histLabels,
    (log, legend) => {
      const y = {
        type: "quantitative",
        title: log
          ? `Count per ${formatValue(wide.widthMs)} ms bin, log scale`
          : `Count per ${formatValue(wide.widthMs)} ms bin`,
        scale: log ? { type: "log", domainMin: floor, nice: false } : {},
      };
      return [
        {
          data: { values: bars },
          transform: log ? [{ filter: "datum.count > 0" }] : [],
          mark: { type: "bar", stroke: "white", strokeWidth: 0.5 },
          encoding: {
            x: x("fromMs"),
            x2: { field: "toMs" },
            y: { ...y, field: "count" },
            y2: { datum: log ? floor : 0 },
            color: colorOf(series, 0, legend),
            description: { field: "label" },
          },
        },
        {
          data: { values: expected },
          transform: log ? [{ filter: `datum.count >= ${floor}` }] : [],
          mark: { type: "line", point: { size: 12 } },
          encoding: {
            x: x("atMs"),
            y: { ...y, field: "count" },
            color: colorOf(series, 1, legend),
            description: { field: "label" },
          },
        },
      ];
    },
  );

  const cdfLabels: Record<string, number> = {};
  let below = 0;
  const steps = [{ atMs: 0, share: 0, label: `0 ms: 0% of ${what} at or under` }];
  for (const b of bins) {
    below += b.count;
    steps.push({
      atMs: b.toMs,
      share: below / s.count,
      label: `${formatValue(b.toMs)} ms: ${
        formatValue((below / s.count) * 100)
      }% of ${s.count} ${what} under`,
    });
  }
  for (const p of steps) cdfLabels[p.label] = 0;
  const curve = Array.from({ length: CURVE_POINTS + 1 }, (_, i) => {
    const atMs = (endMs * i) / CURVE_POINTS;
    const share = reference.cdf(atMs);
    const label = `${reference.name}: ${formatValue(share * 100)}% under ${formatValue(atMs)} ms`;
    cdfLabels[label] = 1;
    return { atMs, share, label };
  });
  // The share longer than t: what a log axis can show of a tail, down to a tenth of one gap.
  const longest = 0.1 / s.count;
  const cdf = chartOf(`${title}: empirical CDF`, "Share axis", series, cdfLabels, (log, legend) => {
    const y = log
      ? {
        field: "longer",
        type: "quantitative",
        title: "Share longer than t, log scale",
        scale: { type: "log", domainMin: longest, nice: false },
      }
      : { field: "share", type: "quantitative", title: "Share at or under t" };
    const layer = (values: unknown[], index: number, mark: Layer) => ({
      data: { values },
      transform: [
        { calculate: "1 - datum.share", as: "longer" },
        ...(log ? [{ filter: `datum.longer >= ${longest}` }] : []),
      ],
      mark,
      encoding: {
        x: x("atMs"),
        y,
        color: colorOf(series, index, legend),
        description: { field: "label" },
      },
    });
    return [
      layer(steps, 0, { type: "line", interpolate: "linear", point: { size: 12 } }),
      layer(curve, 1, { type: "line", strokeDash: [5, 3], point: { size: 4, opacity: 0.4 } }),
    ];
  });
  return [histogram, cdf];
}
