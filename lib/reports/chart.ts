/**
 * A chart as both report kinds draw it: one Vega-Lite specification per time-axis scale,
 * rendered headless to SVG by Vega. The SVG files of `bench --out` and the charts of the HTML
 * pages are rendered from the same specification, so the two never disagree.
 *
 * Vega renders straight to an SVG string with the "none" renderer, so no DOM, canvas or
 * browser is involved; without a canvas it estimates text widths, which only affects label
 * layout slightly. Every drawn datum carries a hover label (Vega writes it as the mark's
 * `aria-label`), which is what the HTML page shows on hover and how it finds each mark's series.
 *
 * @module
 */

import * as vega from "vega";
import * as vl from "vega-lite";
import type { TopLevelSpec } from "vega-lite";

/** How a chart's time axis is scaled. */
export type TimeScale = "linear" | "log";

/** What a chart specification can be asked to vary. */
export interface ChartOptions {
  timeScale: TimeScale;
  /** False where the page draws its own legend (with series toggles) beside the chart. */
  legend: boolean;
}

/** One chart: its specification for either time scale, and what its marks stand for. */
export interface Chart {
  title: string;
  /** Series in legend order; one unnamed series for a chart without a legend. */
  series: string[];
  /** The time scale the chart opens with, and the one its SVG file uses. */
  timeScale: TimeScale;
  /** What the page calls the axis its linear / log switch changes; `Time axis` unless given. */
  scaleLabel?: string;
  /** Hover label of every drawn datum → index of its series. */
  labels: Record<string, number>;
  spec(options: ChartOptions): TopLevelSpec;
}

/** Vega's color scheme for series; the page's legend takes series colors from it in order. */
export const SERIES_SCHEME = "tableau10";

/** The colors of {@link SERIES_SCHEME}, which Vega cycles through for series past the last. */
export function seriesColors(): string[] {
  return vega.scheme(SERIES_SCHEME) as string[];
}

/** Renders a Vega-Lite specification to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
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

/** A chart's SVG at its own time scale, with its legend: what an SVG file holds. */
export function chartSvg(chart: Chart): Promise<string> {
  return renderSvg(chart.spec({ timeScale: chart.timeScale, legend: true }));
}

/** Three significant digits, all of an integer part, no exponent: `0.000123`, `1.23`, `12345`. */
export function formatValue(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const digits = x === 0 ? 0 : Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  return x.toFixed(Math.min(digits, 6)).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
}
