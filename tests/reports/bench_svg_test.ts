/**
 * Tests for the chart specifications of lib/reports/bench_svg.ts beyond one series per mode
 * (bench_reports_test.ts): the sweep chart's log time axis, and the hover labels the HTML page
 * uses to find each mark's series.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  emptyFailures,
  summarizeSweep,
  type SweepMeasurement,
  type SweepResult,
} from "../../lib/bench/bench_result.ts";
import { renderSvg } from "../../lib/reports/chart.ts";
import { benchCharts, sweepChartSvg } from "../../lib/reports/bench_svg.ts";
import { TEST_ENVIRONMENT } from "../bench/bench_support.ts";
import { descendants, parseXml } from "../report_support.ts";

const CLIENTS = [10, 50, 100];
const DELAY_MS = 3000;

/** The reference experiment's shape: iter grows with clients; async is 3 s, thr 6 s. */
function sweep(): SweepResult {
  const measurements: SweepMeasurement[] = ["iter", "async", "thr"].flatMap((mode) =>
    CLIENTS.map((clients) => ({
      mode,
      clients,
      run: 1,
      totalMs: mode === "iter" ? clients * DELAY_MS : mode === "async" ? DELAY_MS : 2 * DELAY_MS,
      failures: emptyFailures(),
      examples: {},
    }))
  );
  return {
    kind: "sweep",
    startedAt: "2025-01-02T03:04:05.000Z",
    endedAt: "2025-01-02T04:04:05.000Z",
    environment: TEST_ENVIRONMENT,
    settings: {
      targets: ["iter", "async", "thr"],
      clients: CLIENTS,
      runs: 1,
      delayMs: DELAY_MS,
      request: "BenchmarkTestString123",
      clientIo: "node",
      clientWorkers: 2,
      timeoutMs: 30_000,
      serverWorkers: 2,
    },
    measurements,
    cells: summarizeSweep(measurements),
  };
}

/** Drawn lines by the mode their label names, with the y of their first vertex. */
function lineStarts(svg: string): Map<string, number> {
  const starts = new Map<string, number>();
  for (const el of descendants(parseXml(svg))) {
    if (el.attrs["aria-roledescription"] !== "line mark") continue;
    const mode = ["iter", "async", "thr"].find((m) =>
      new RegExp(`\\b${m}\\b`).test(el.attrs["aria-label"])
    );
    const y = Number(/^M[-\d.]+,([-\d.]+)/.exec(el.attrs.d)?.[1]);
    if (mode) starts.set(mode, y);
  }
  return starts;
}

Deno.test("sweepChartSvg() draws time on a log axis so iter does not flatten the other modes", async () => {
  const svg = await sweepChartSvg(sweep());
  const yAxis = descendants(parseXml(svg)).find((el) =>
    /^Y-axis/.test(el.attrs["aria-label"] ?? "")
  );
  assert.match(yAxis?.attrs["aria-label"] ?? "", /log scale/);
  // async takes 3 s and thr 6 s while iter reaches 300 s: on a linear axis of 320 px the two
  // lie 3 px apart; on a log axis a factor of two is a good fifth of the height.
  const starts = lineStarts(svg);
  assert.equal(starts.size, 3, "a line per mode");
  const gap = starts.get("async")! - starts.get("thr")!;
  assert.ok(gap > 40, `async and thr lie ${gap.toFixed(1)} px apart`);
});

Deno.test("benchCharts() label every drawn point with its series at both time scales", async () => {
  const result = sweep();
  const [chart] = benchCharts(result);
  assert.deepEqual(chart.series, ["iter", "async", "thr"]);
  for (const timeScale of ["linear", "log"] as const) {
    const svg = await renderSvg(chart.spec({ timeScale, legend: false }));
    const points = descendants(parseXml(svg)).filter((el) =>
      el.attrs["aria-roledescription"] === "point"
    );
    assert.equal(points.length, result.cells.length, `${timeScale}: a point per cell`);
    for (const point of points) {
      const label = point.attrs["aria-label"];
      const series = chart.labels[label];
      assert.ok(series !== undefined, `${timeScale}: label "${label}" is known`);
      assert.ok(label.startsWith(`${chart.series[series]}, `), `${label} names its series`);
    }
    const legend = descendants(parseXml(svg)).some((el) => /legend/.test(el.attrs.class ?? ""));
    assert.equal(legend, false, "no legend where the page draws its own");
  }
});
