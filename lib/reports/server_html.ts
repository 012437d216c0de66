/**
 * The HTML page `serve --html FILE` writes: the run's summary, the inter-arrival statistics of
 * connections and of data as a sortable table, a histogram of each, and the per-worker counts.
 *
 * The summary carries each distribution as its count, mean and min / median / p95 / p99 / max,
 * not as buckets, so each histogram is drawn from those: one bar per percentile band
 * (min–median, median–p95, p95–p99, p99–max) spanning the band's times, its height the share of
 * samples in it; the page says so under the charts.
 *
 * @module
 */

import type { SampleSummary } from "../stats/stats.ts";
import { type Chart, formatValue, seriesColors } from "./chart.ts";
import { htmlPage, type HtmlPart, objectFacts } from "./html_page.ts";
import type { ServerSummary } from "./server_report.ts";

/** A histogram bar: the share (in %) of samples between `fromMs` and `toMs`. */
export interface HistogramBin {
  band: string;
  fromMs: number;
  toMs: number;
  percent: number;
}

/** Where a log axis starts: one microsecond, the resolution of the recorded times. */
const LOG_FLOOR_MS = 0.001;

/** The percentile bands of a distribution as histogram bars; none for an empty sample. */
export function percentileBins(s: SampleSummary): HistogramBin[] {
  if (s.count === 0) return [];
  const edges: [string, number, number][] = [
    ["min", s.min, 0],
    ["median", s.median, 50],
    ["p95", s.p95, 95],
    ["p99", s.p99, 99],
    ["max", s.max, 100],
  ];
  // A band of zero width (every sample alike, say) still needs a visible bar.
  const minWidth = Math.max((s.max - s.min) / 200, LOG_FLOOR_MS);
  return edges.slice(1).map(([name, to, at], i) => {
    const [fromName, from, fromAt] = edges[i];
    return {
      band: `${fromName}\u2013${name}`,
      fromMs: from,
      toMs: Math.max(to, from + minWidth),
      percent: at - fromAt,
    };
  });
}

function histogramChart(title: string, what: string, s: SampleSummary): Chart {
  const labels: Record<string, number> = {};
  const values = percentileBins(s).map((bin) => {
    const label = `${bin.band}: ${formatValue(bin.fromMs)}\u2013${
      formatValue(bin.toMs)
    } ms, ${bin.percent}% of ${s.count} ${what}`;
    labels[label] = 0;
    return { ...bin, label };
  });
  return {
    title,
    series: [what],
    timeScale: "linear",
    labels,
    spec: ({ timeScale }) => ({
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title,
      width: 560,
      height: 260,
      background: "white",
      data: { values },
      transform: timeScale === "log"
        ? [{ calculate: `max(datum.fromMs, ${LOG_FLOOR_MS})`, as: "fromMs" }]
        : [],
      mark: { type: "bar", color: seriesColors()[0], stroke: "white" },
      encoding: {
        x: {
          field: "fromMs",
          type: "quantitative",
          title: timeScale === "log"
            ? "Inter-arrival time (ms), log scale"
            : "Inter-arrival time (ms)",
          // The gaps of a steady client sit far from zero; zero would squeeze them to a sliver.
          scale: timeScale === "log" ? { type: "log" } : { zero: false },
        },
        x2: { field: "toMs" },
        y: { field: "percent", type: "quantitative", title: "Share of samples (%)" },
        y2: { datum: 0 },
        description: { field: "label" },
      },
    }),
  };
}

function statRow(kind: string, s: SampleSummary): (string | number)[] {
  const ms = (x: number) => (Number.isNaN(x) ? "-" : x.toFixed(3));
  return [kind, s.count, ms(s.mean), ms(s.min), ms(s.median), ms(s.p95), ms(s.p99), ms(s.max)];
}

/** The page of a server run; `command` is `serve` or `task-serve`. */
export function serverHtml(summary: ServerSummary, command: string): Promise<string> {
  const { connectionInterArrival, dataInterArrival, perWorker, ...run } = summary;
  const iso = (ms: number) => new Date(ms).toISOString();
  const charts: HtmlPart[] = [];
  for (
    const [title, what, s] of [
      ["Connection inter-arrival times", "connection gaps", connectionInterArrival],
      ["Data inter-arrival times", "data gaps", dataInterArrival],
    ] as const
  ) {
    charts.push(
      s.count > 0 ? { chart: histogramChart(title, what, s) } : { text: `${title}: no samples.` },
    );
  }
  return htmlPage({
    title: `socklab ${command}`,
    subtitle: `${summary.mode} (${summary.layout}), ${iso(summary.startedAt)} to ${
      iso(summary.stoppedAt)
    }`,
    sections: [
      {
        heading: "Summary",
        parts: [{
          facts: objectFacts({
            ...run,
            startedAt: iso(summary.startedAt),
            stoppedAt: iso(summary.stoppedAt),
            ranSeconds: ((summary.stoppedAt - summary.startedAt) / 1000).toFixed(3),
          }),
        }],
      },
      {
        heading: "Inter-arrival times",
        parts: [
          {
            table: {
              headers: ["kind", "count", "mean", "min", "median", "p95", "p99", "max"].map((
                h,
                i,
              ) => i < 2 ? h : `${h} (ms)`),
              numeric: [false, true, true, true, true, true, true, true],
              rows: [
                statRow("connection", connectionInterArrival),
                statRow("data", dataInterArrival),
              ],
            },
          },
          ...charts,
          {
            text: "Each bar spans a percentile band (min\u2013median, median\u2013p95, " +
              "p95\u2013p99, p99\u2013max) and its height is the share of samples in it: " +
              "the histograms are drawn from the summary's percentiles.",
          },
        ],
      },
      {
        heading: "Workers",
        parts: [{
          table: {
            headers: ["worker", "connections", "messages"],
            numeric: [false, true, true],
            rows: Object.entries(perWorker).map(([w, c]) => [w, c.connections, c.messages]),
          },
        }],
      },
    ],
  });
}
