/**
 * The charts of `bench arrivals`: the measured mean data gap of every cell beside the mean
 * the client's distribution predicts, with its 95% confidence interval, mode by mode; and per
 * cell the distribution of the server's data gaps as the serve page draws it (histogram and
 * empirical CDF), against the distribution the client drew rather than an exponential.
 *
 * @module
 */

import type { ArrivalsCell, ArrivalsResult } from "../bench/arrivals_result.ts";
import { cellKey } from "../bench/arrivals_result.ts";
import { distributionCdf } from "../bench/arrival_verdict.ts";
import type { BenchChart } from "./bench_svg.ts";
import { type Chart, formatValue, seriesColors } from "./chart.ts";
import { distributionCharts } from "./distribution_charts.ts";
import { describeDistribution } from "../stats/distribution.ts";
import { summarize } from "../stats/stats.ts";
import type { TopLevelSpec } from "vega-lite";

/** The title of the means chart. */
export const MEANS_TITLE = "Mean data inter-arrival time: measured (95% CI) vs theoretical";

/** A cell as charts and tables name it: `iter, e:1, 3 workers`. */
export function cellName(cell: Pick<ArrivalsCell, "target" | "dist" | "workers">): string {
  return `${cell.target}, ${cell.dist}, ${cell.workers} workers`;
}

/** Measured means with their intervals, one color per target, theory as a black tick. */
function meansChart(result: ArrivalsResult): Chart {
  const cells = result.cells.filter((c) => c.data);
  const targets = [...new Set(cells.map((c) => c.target))];
  const series = [...targets, "theory"];
  const group = (c: ArrivalsCell) => `${c.dist}, ${c.workers} w`;
  const groups = [...new Set(cells.map(group))];
  const labels: Record<string, number> = {};
  const measured = cells.map((c) => {
    const d = c.data!;
    const label = `${cellName(c)}: mean ${formatValue(d.meanMs)} ms (95% CI ${
      formatValue(d.ciLowMs)
    }\u2013${formatValue(d.ciHighMs)}), theory ${formatValue(c.theory.meanMs)} ms`;
    labels[label] = targets.indexOf(c.target);
    return {
      group: group(c),
      series: c.target,
      mean: d.meanMs,
      low: Number.isFinite(d.ciLowMs) ? d.ciLowMs : d.meanMs,
      high: Number.isFinite(d.ciHighMs) ? d.ciHighMs : d.meanMs,
      label,
    };
  });
  const theory = groups.map((g) => {
    const cell = cells.find((c) => group(c) === g)!;
    const label = `${cell.dist}: theoretical mean ${formatValue(cell.theory.meanMs)} ms`;
    labels[label] = targets.length;
    return { group: g, series: "theory", mean: cell.theory.meanMs, label };
  });
  const x = { field: "group", type: "nominal", title: "Distribution, workers", sort: groups };
  const colors = seriesColors();
  return {
    title: MEANS_TITLE,
    series,
    timeScale: "linear",
    labels,
    spec: ({ timeScale, legend }) => {
      const y = {
        field: "mean",
        type: "quantitative",
        title: timeScale === "log" ? "Mean data gap (ms), log scale" : "Mean data gap (ms)",
        scale: timeScale === "log" ? { type: "log", nice: false } : {},
      };
      const color = {
        field: "series",
        type: "nominal",
        title: "Mode",
        scale: {
          domain: series,
          range: [...targets.map((_, i) => colors[i % colors.length]), "black"],
        },
        legend: legend ? { labelLimit: 1000 } : null,
      };
      return {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        title: MEANS_TITLE,
        width: Math.max(480, groups.length * targets.length * 60),
        height: 300,
        background: "white",
        layer: [
          {
            data: { values: measured },
            mark: { type: "point", filled: true, size: 80 },
            encoding: {
              x,
              xOffset: { field: "series", sort: targets },
              y,
              color,
              description: { field: "label" },
            },
          },
          {
            data: { values: measured },
            mark: { type: "rule", color: "#333" },
            encoding: {
              x,
              xOffset: { field: "series", sort: targets },
              y: { ...y, field: "low" },
              y2: { field: "high" },
            },
          },
          {
            data: { values: theory },
            mark: { type: "tick", thickness: 3, size: 40 * targets.length },
            encoding: { x, y, color, description: { field: "label" } },
          },
        ],
      } as unknown as TopLevelSpec;
    },
  };
}

/** Each cell's data gaps (all its runs) as histogram and CDF against the drawn distribution. */
function cellCharts(result: ArrivalsResult, cell: ArrivalsCell): Chart[] {
  const gaps = result.measurements
    .filter((m) => cellKey(m) === cellKey(cell))
    .flatMap((m) => m.server?.dataGapsMs ?? []);
  return distributionCharts(cellName(cell), "data gaps", summarize(gaps), {
    name: `the client's ${describeDistribution(cell.distribution)}`,
    cdf: distributionCdf(cell.distribution),
  });
}

/** A name safe in a file name: `iter_e-1_3w`. */
function fileSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9.]+/g, "-").replace(/^-|-$/g, "");
}

/** The means chart, then two charts per cell with server gaps. */
export function arrivalsCharts(result: ArrivalsResult): BenchChart[] {
  const perCell = result.cells.flatMap((cell) =>
    cellCharts(result, cell).map((chart, i) => ({
      ...chart,
      key: `${cellKey(cell)} ${i === 0 ? "histogram" : "cdf"}`,
      file: `arrivals_${fileSafe(`${cell.target}_${cell.dist}_${cell.workers}w`)}_${
        i === 0 ? "histogram" : "cdf"
      }.svg`,
    }))
  );
  const means = result.cells.some((c) => c.data)
    ? [{ ...meansChart(result), key: "means", file: "arrivals_means.svg" }]
    : [];
  return [...means, ...perCell];
}
