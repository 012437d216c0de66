/**
 * `report.html` in a real browser: a `bench sweep --quick` and a small `bench scale`, run
 * through the CLI, write it; headless Chromium opens it from disk with the network cut off and
 * the test reads the rendered page: no console errors and no requests, a summary row per
 * measurement, one drawn series per mode in every chart, sorting, hover values, the time-axis
 * switch and the legend toggles. A page of 10,000 connections must open in well under a second.
 * Screenshots are kept in each test's temporary folder (its path is printed).
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  emptyFailures,
  type ScaleConnectionRow,
  type ScaleResult,
  type SweepResult,
} from "../../lib/bench/bench_result.ts";
import { benchHtml } from "../../lib/reports/bench_html.ts";
import { createLatencyHistogram, encodeHistogram } from "../../lib/stats/histogram.ts";
import { scaleSettings, TEST_ENVIRONMENT } from "../bench/bench_support.ts";
import {
  artifactDir,
  assertQuiet,
  browserTest,
  checkSort,
  hoverFirstMark,
  keepScreenshot,
  type Page,
  sortBy,
  tableRows,
  visibleAxis,
  withPage,
} from "../browser_support.ts";
import { runSocklab } from "../support.ts";

/** A browser global the page functions below use: they run in Chromium, not in Deno. */
declare const getComputedStyle: (element: unknown) => { display: string };

const BROWSER = browserTest("bench_html_test.ts");

/** The selector of the table under the heading `file` in the Data section. */
async function dataTable(page: Page, file: string): Promise<string> {
  const id = await page.$$eval("#data h3", (heads, file) => {
    const head = heads.find((h) => h.textContent === file);
    let next = head?.nextElementSibling;
    while (next && !next.querySelector("table")) next = next.nextElementSibling;
    return next?.querySelector("table")?.id ?? "";
  }, file);
  assert.ok(id, `a table for ${file}`);
  return `#${id}`;
}

/** Per chart: its legend's series and the distinct series of the lines drawn where visible. */
function drawnSeries(page: Page): Promise<{ legend: string[]; lines: string[] }[]> {
  return page.$$eval("figure.chart", (figures) =>
    figures.map((figure) => {
      const visible = [...figure.querySelectorAll(".variant")].find((v) =>
        getComputedStyle(v).display !== "none"
      )!;
      const lines = [...visible.querySelectorAll('[aria-roledescription="line mark"]')]
        .filter((l) => getComputedStyle(l).display !== "none")
        .map((l) => l.getAttribute("data-series") ?? "none");
      const legend = [...figure.querySelectorAll("button[data-series]")].map((b) =>
        b.textContent ?? ""
      );
      return { legend, lines: [...new Set(lines)].map((i) => legend[Number(i)] ?? i) };
    }));
}

/**
 * What every report page must do, checked from the rendered page: one summary row per
 * expected row, each chart drawing exactly `series`, hover values, the time-axis switch and
 * the legend toggles.
 */
async function checkCharts(page: Page, series: string[], charts: number) {
  const drawn = await drawnSeries(page);
  assert.equal(drawn.length, charts, "charts");
  for (const chart of drawn) {
    assert.deepEqual(chart.legend, series, "legend, in order");
    assert.deepEqual(chart.lines.sort(), [...series].sort(), "one drawn line per series");
  }

  // Hover: a point shows its value and names its series.
  const tip = await hoverFirstMark(page);
  assert.ok(series.some((s) => tip.startsWith(`${s}, `)), `tooltip ${tip}`);

  // Time axis: both scales, switched from the buttons.
  for (const scale of ["linear", "log", "linear"]) {
    await page.click(`figure.chart button[data-scale="${scale}"]`);
    assert.match(await visibleAxis(page, 0, "Y"), new RegExp(`for a ${scale} scale`));
  }

  // Legend: hiding the first series leaves the others drawn, and showing it brings it back.
  await page.click('figure.chart button[data-series="0"]');
  assert.deepEqual((await drawnSeries(page))[0].lines.sort(), series.slice(1).sort());
  await page.click('figure.chart button[data-series="0"]');
  assert.deepEqual((await drawnSeries(page))[0].lines.sort(), [...series].sort());
}

Deno.test({
  name: "report.html of bench sweep --quick renders every mode, sorts and switches in a browser",
  ...BROWSER,
  fn: async () => {
    const dir = await artifactDir("report_sweep");
    // The preset's clients and modes; a 20 ms hold instead of 200 ms, which iter waits out 35
    // times in turn: the page is what is checked.
    const { code, stderr } = await runSocklab([
      "bench",
      "sweep",
      "--quick",
      "--delay",
      "20ms",
      "--out",
      dir,
    ]);
    assert.equal(code, 0, stderr);
    const result: SweepResult = JSON.parse(await Deno.readTextFile(`${dir}/sweep.json`));
    const modes = [...new Set(result.cells.map((c) => c.mode))];
    const clients = [...new Set(result.cells.map((c) => c.clients))];
    assert.equal(modes.length, 4, "--quick compares every mode");

    await withPage(`${dir}/report.html`, async (page, log) => {
      await keepScreenshot(page, dir, "report_sweep.png");
      assert.equal(await page.title(), "socklab bench sweep");
      const rows = await tableRows(page, "#summary");
      assert.deepEqual(rows.map((r) => Number(r[0])), clients, "a summary row per client count");
      await checkCharts(page, modes, 1);
      await checkSort(page, "#summary", "clients", 0);
      // The measurements table sorts by number, not by text.
      await checkSort(page, await dataTable(page, "sweep_measurements.csv"), "total_ms", 3);
      assertQuiet(log);
    });
  },
});

Deno.test({
  name: "report.html of a small bench scale renders every target, sorts and switches in a browser",
  ...BROWSER,
  fn: async () => {
    const dir = await artifactDir("report_scale");
    const { code, stderr } = await runSocklab([
      "bench",
      "scale",
      "--modes",
      "async,thr",
      "--connections",
      "2,4",
      "--requests",
      "3",
      "--out",
      dir,
    ]);
    assert.equal(code, 0, stderr);
    const result: ScaleResult = JSON.parse(await Deno.readTextFile(`${dir}/scale.json`));
    const targets = [...new Set(result.summaries.map((s) => s.target))];

    await withPage(`${dir}/report.html`, async (page, log) => {
      await keepScreenshot(page, dir, "report_scale.png");
      const rows = await tableRows(page, "#summary");
      assert.deepEqual(
        rows.map((r) => `${r[0]}/${r[1]}`),
        result.summaries.map((s) => `${s.target}/${s.connections}`),
        "a summary row per target and count",
      );
      await checkCharts(page, targets, 2);
      await checkSort(page, "#summary", "connections", 1);
      assertQuiet(log);
    });
  },
});

Deno.test({
  name: "report.html of 10,000 connections opens in under a second and pages its table",
  ...BROWSER,
  fn: async () => {
    const dir = await artifactDir("report_10k");
    const count = 10_000;
    const connections: ScaleConnectionRow[] = Array.from({ length: count }, (_, i) => ({
      target: "async",
      connections: count,
      conn: i + 1,
      requests: 100,
      bytes: 6500,
      // A spread of durations with no order, so sorting has work to do.
      durationMs: 1000 + ((i * 7919) % count) / 10,
      meanResponseMs: 10 + (i % 97) / 10,
      failures: 0,
    }));
    const result: ScaleResult = {
      kind: "scale",
      startedAt: new Date().toISOString(),
      endedAt: new Date().toISOString(),
      environment: TEST_ENVIRONMENT,
      settings: scaleSettings({
        targets: ["async"],
        connections: [count],
        requests: 100,
        size: 64,
      }),
      skipped: [],
      connections,
      summaries: [{
        target: "async",
        connections: count,
        requests: count * 100,
        bytes: count * 6500,
        meanDurationMs: 1500,
        meanResponseMs: 15,
        latency: { count, meanMs: 15, p50Ms: 14, p90Ms: 19, p99Ms: 20, p999Ms: 20, maxMs: 20 },
        elapsedMs: 2000,
        requestsPerSec: 500_000,
        failures: emptyFailures(),
        examples: {},
        histogram: encodeHistogram(createLatencyHistogram()),
        requestPhase: { start: 0, end: 2000 },
      }],
    };
    await Deno.writeTextFile(`${dir}/report.html`, await benchHtml(result));

    await withPage(`${dir}/report.html`, async (page, log) => {
      const loadMs = await page.evaluate(() =>
        (performance.getEntriesByType("navigation")[0] as unknown as { loadEventEnd: number })
          .loadEventEnd
      );
      console.log(`10,000-row page loaded in ${loadMs.toFixed(0)} ms`);
      assert.ok(loadMs < 1000, `loaded in ${loadMs} ms`);
      const table = await dataTable(page, "scale_connections.csv");
      assert.equal((await tableRows(page, table)).length, 100, "one page of rows");
      const pager = `${table}-pager`;
      assert.equal(
        await page.$eval(`${pager} .range`, (r) => r.textContent),
        "1–100 of 10000 rows",
      );
      await page.click(`${pager} .next`);
      assert.equal(
        await page.$eval(`${pager} .range`, (r) => r.textContent),
        "101–200 of 10000 rows",
      );
      assert.equal((await tableRows(page, table))[0][2], "101", "second page from conn 101");
      // Sorting works on all rows, not just the page shown.
      await sortBy(page, table, "duration_ms");
      await sortBy(page, table, "duration_ms");
      const longest = Math.max(...connections.map((c) => c.durationMs));
      assert.equal(Number((await tableRows(page, table))[0][5]), longest);
      assertQuiet(log);
    });
  },
});
