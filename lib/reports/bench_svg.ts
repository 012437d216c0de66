/**
 * SVG charts of bench results, drawn by Vega-Lite and rendered headless by Vega.
 *
 * Vega renders straight to an SVG string with the "none" renderer, so no DOM,
 * canvas or browser is involved; without a canvas it estimates text widths,
 * which only affects label layout slightly. Charts are line charts with points,
 * one colored series per mode (sweep) or per target (scale), with a legend.
 *
 * @module
 */

import * as vega from "vega";
import * as vl from "vega-lite";
import type { TopLevelSpec } from "vega-lite";
import type { BenchResult, ScaleResult, SweepResult } from "../bench/bench_result.ts";

/** Chart key → SVG file name: sweep → `sweep`; scale → `duration`, `response`. */
export function chartFiles(result: BenchResult): Record<string, string> {
  return result.kind === "sweep"
    ? { sweep: "sweep.svg" }
    : { duration: "scale_duration.svg", response: "scale_response.svg" };
}

/** Chart key → chart title. */
export const CHART_TITLES: Readonly<Record<string, string>> = {
  sweep: "Median execution time vs concurrent clients",
  duration: "Mean total duration per connection vs connections",
  response: "Mean response time vs connections",
};

interface LineChart {
  title: string;
  values: Record<string, string | number>[];
  x: { field: string; title: string };
  y: { field: string; title: string };
  series: { field: string; title: string; domain: string[] };
}

function lineSpec(chart: LineChart): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: chart.title,
    width: 560,
    height: 320,
    background: "white",
    data: { values: chart.values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: chart.x.field, type: "quantitative", title: chart.x.title },
      y: { field: chart.y.field, type: "quantitative", title: chart.y.title },
      color: {
        field: chart.series.field,
        type: "nominal",
        title: chart.series.title,
        // An explicit domain keeps the legend in the user's order (e.g. --modes)
        // instead of alphabetical, and gives each series a stable color.
        scale: { domain: chart.series.domain },
        // The default 160 px cuts "host:port (mode)" targets short with an ellipsis.
        legend: { labelLimit: 1000 },
      },
    },
  };
}

async function render(spec: TopLevelSpec): Promise<string> {
  // Warnings (e.g. text measured without a canvas) are noise in a CLI's output;
  // real errors still reject toSVG().
  const logger = vega.logger(vega.Error);
  const compiled = vl.compile(spec, { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logger });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function distinct(values: string[]): string[] {
  return [...new Set(values)];
}

/** Median execution time (s) against clients, one series per mode. */
export function sweepChartSvg(result: SweepResult): Promise<string> {
  return render(lineSpec({
    title: CHART_TITLES.sweep,
    values: result.cells.map((c) => ({
      mode: c.mode,
      clients: c.clients,
      seconds: c.medianMs / 1000,
    })),
    x: { field: "clients", title: "Concurrent clients" },
    y: { field: "seconds", title: "Median execution time (s)" },
    series: { field: "mode", title: "Mode", domain: distinct(result.cells.map((c) => c.mode)) },
  }));
}

/** Mean total duration (s) and mean response time (ms) against connections, one series per target. */
export async function scaleChartsSvg(
  result: ScaleResult,
): Promise<{ duration: string; response: string }> {
  const targets = distinct(result.summaries.map((s) => s.target));
  const values = result.summaries.map((s) => ({
    target: s.target,
    connections: s.connections,
    duration_s: s.meanDurationMs / 1000,
    response_ms: s.meanResponseMs,
  }));
  const x = { field: "connections", title: "Concurrent connections" };
  const series = { field: "target", title: "Target", domain: targets };
  const [duration, response] = await Promise.all([
    render(lineSpec({
      title: CHART_TITLES.duration,
      values,
      x,
      y: { field: "duration_s", title: "Mean total duration (s)" },
      series,
    })),
    render(lineSpec({
      title: CHART_TITLES.response,
      values,
      x,
      y: { field: "response_ms", title: "Mean response time (ms)" },
      series,
    })),
  ]);
  return { duration, response };
}

/** SVG file name → SVG content for every chart of a result. */
export async function chartSvgs(result: BenchResult): Promise<Record<string, string>> {
  const names = chartFiles(result);
  const svgs: Record<string, string> = result.kind === "sweep"
    ? { sweep: await sweepChartSvg(result) }
    : await scaleChartsSvg(result);
  return Object.fromEntries(Object.entries(names).map(([key, name]) => [name, svgs[key]]));
}
