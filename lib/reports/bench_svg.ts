/**
 * The charts of bench results as Vega-Lite specifications, and their SVG files. A sweep draws
 * execution time against clients, one series per mode, on a log time axis so the iterative
 * mode (which grows with the client count) does not flatten every other mode into one line; a
 * scale run draws duration and response time against connections, one series per target. The
 * HTML report draws the same specifications, at either time scale.
 *
 * @module
 */

import type { BenchResult, ScaleResult, SweepResult } from "../bench/bench_result.ts";
import { type Chart, chartSvg, formatValue, SERIES_SCHEME, type TimeScale } from "./chart.ts";
import { arrivalsCharts } from "./arrivals_charts.ts";

/** A chart of a bench result, with the key reports refer to it by and its SVG file name. */
export interface BenchChart extends Chart {
  key: string;
  file: string;
}

/** Chart key → chart title. */
export const CHART_TITLES: Readonly<Record<string, string>> = {
  sweep: "Median execution time vs concurrent clients",
  duration: "Mean total duration per connection vs connections",
  response: "Mean response time vs connections",
};

interface LineChart {
  title: string;
  points: { series: string; x: number; y: number }[];
  /** `unit` names the quantity in hover labels: `10 clients: 2.01 s`. */
  x: { title: string; unit: string };
  y: { title: string; unit: string };
  series: { title: string; domain: string[] };
  timeScale: TimeScale;
}

/** Lines with points, one colored series each, time on the y axis. */
function lineChart(chart: LineChart): Chart {
  const labels: Record<string, number> = {};
  const values = chart.points.map((p) => {
    const label = `${p.series}, ${p.x} ${chart.x.unit}: ${formatValue(p.y)} ${chart.y.unit}`;
    labels[label] = chart.series.domain.indexOf(p.series);
    return { ...p, label };
  });
  return {
    title: chart.title,
    series: chart.series.domain,
    timeScale: chart.timeScale,
    labels,
    spec: ({ timeScale, legend }) => ({
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: chart.title,
      width: 560,
      height: 320,
      background: "white",
      data: { values },
      // A log axis has no place for zero; such a value is still in every table.
      transform: timeScale === "log" ? [{ filter: "datum.y > 0" }] : [],
      mark: { type: "line", point: true },
      encoding: {
        // Counts are whole numbers: no ticks between them.
        x: { field: "x", type: "quantitative", title: chart.x.title, axis: { tickMinStep: 1 } },
        y: {
          field: "y",
          type: "quantitative",
          title: timeScale === "log" ? `${chart.y.title}, log scale` : chart.y.title,
          // A log domain rounded out to whole decades can leave the data in a sliver of it.
          scale: timeScale === "log" ? { type: "log", nice: false, padding: 12 } : {},
        },
        color: {
          field: "series",
          type: "nominal",
          title: chart.series.title,
          // An explicit domain keeps the legend in the user's order (e.g. --modes)
          // instead of alphabetical, and gives each series a stable color.
          scale: { domain: chart.series.domain, scheme: SERIES_SCHEME },
          // The default 160 px cuts "host:port (mode)" targets short with an ellipsis.
          legend: legend ? { labelLimit: 1000 } : null,
        },
        description: { field: "label" },
      },
    }),
  };
}

function distinct(values: string[]): string[] {
  return [...new Set(values)];
}

/** Median execution time (s) against clients, one series per mode. */
function sweepChart(result: SweepResult): BenchChart {
  return {
    key: "sweep",
    file: "sweep.svg",
    ...lineChart({
      title: CHART_TITLES.sweep,
      // A cell without a time (its requests failed) has no point.
      points: result.cells.flatMap((c) =>
        c.medianMs === null ? [] : [{ series: c.mode, x: c.clients, y: c.medianMs / 1000 }]
      ),
      x: { title: "Concurrent clients", unit: "clients" },
      y: { title: "Median execution time (s)", unit: "s" },
      series: { title: "Mode", domain: distinct(result.cells.map((c) => c.mode)) },
      timeScale: "log",
    }),
  };
}

/** Mean total duration (s) and mean response time (ms) against connections, one series per target. */
function scaleCharts(result: ScaleResult): BenchChart[] {
  const common = {
    x: { title: "Concurrent connections", unit: "connections" },
    series: { title: "Target", domain: distinct(result.summaries.map((s) => s.target)) },
    timeScale: "linear" as const,
  };
  const points = (y: (s: ScaleResult["summaries"][number]) => number) =>
    result.summaries.map((s) => ({ series: s.target, x: s.connections, y: y(s) }));
  return [
    {
      key: "duration",
      file: "scale_duration.svg",
      ...lineChart({
        ...common,
        title: CHART_TITLES.duration,
        points: points((s) => s.meanDurationMs / 1000),
        y: { title: "Mean total duration (s)", unit: "s" },
      }),
    },
    {
      key: "response",
      file: "scale_response.svg",
      ...lineChart({
        ...common,
        title: CHART_TITLES.response,
        points: points((s) => s.meanResponseMs),
        y: { title: "Mean response time (ms)", unit: "ms" },
      }),
    },
  ];
}

/** Every chart of a result, in report order. */
export function benchCharts(result: BenchResult): BenchChart[] {
  switch (result.kind) {
    case "sweep":
      return [sweepChart(result)];
    case "scale":
      return scaleCharts(result);
    case "arrivals":
      return arrivalsCharts(result);
  }
}

/** Chart key → SVG file name: sweep → `sweep`; scale → `duration`, `response`. */
export function chartFiles(result: BenchResult): Record<string, string> {
  return Object.fromEntries(benchCharts(result).map((c) => [c.key, c.file]));
}

/** The sweep chart as SVG. */
export function sweepChartSvg(result: SweepResult): Promise<string> {
  return chartSvg(sweepChart(result));
}

/** The duration and response-time charts of a scale run as SVG. */
export async function scaleChartsSvg(
  result: ScaleResult,
): Promise<{ duration: string; response: string }> {
  const [duration, response] = await Promise.all(scaleCharts(result).map(chartSvg));
  return { duration, response };
}

/** SVG file name → SVG content for every chart of a result. */
export async function chartSvgs(result: BenchResult): Promise<Record<string, string>> {
  const charts = benchCharts(result);
  const svgs = await Promise.all(charts.map(chartSvg));
  return Object.fromEntries(charts.map((c, i) => [c.file, svgs[i]]));
}
