/**
 * `serve --html FILE` in a real browser: a server run with a client against it writes the
 * page; headless Chromium opens it with the network cut off and the test reads the rendered
 * page: no console errors and no requests, the inter-arrival table (counts as the summary
 * JSON has them, sortable), a histogram each for connections and data with its bars drawn,
 * hover values and the time-axis switch. The screenshot is kept in the test's temporary folder.
 * Also the percentile bands the histograms are drawn from.
 *
 * @module
 */

import assert from "node:assert/strict";
import { percentileBins, serverHtml } from "../../lib/reports/server_html.ts";
import { summarize } from "../../lib/stats/stats.ts";
import {
  artifactDir,
  assertQuiet,
  browserTest,
  checkSort,
  hoverFirstMark,
  keepScreenshot,
  tableRows,
  visibleAxis,
  withPage,
} from "../browser_support.ts";
import { clientArgs, runSocklab, SERVE, startServer } from "../support.ts";

const WORKERS = 3;
const EVENTS = 6;

Deno.test({
  name: "serve --html writes a page with both inter-arrival histograms that renders offline",
  ...browserTest("server_html_test.ts"),
  fn: async () => {
    const dir = await artifactDir("serve_report");
    const file = `${dir}/serve.html`;
    const server = await startServer([
      ...SERVE,
      "--max-connections",
      String(WORKERS),
      "--json",
      "--html",
      file,
    ]);
    const client = await runSocklab(
      clientArgs(server.port, "-w", String(WORKERS), "-n", String(EVENTS), "-p", "0.02"),
    );
    assert.equal(client.code, 0, client.stderr);
    const { code, stdout, stderr } = await server.finished;
    assert.equal(code, 0, stderr);
    const summary = JSON.parse(stdout);
    assert.equal(summary.dataInterArrival.count, WORKERS * (EVENTS - 1));

    await withPage(file, async (page, log) => {
      await keepScreenshot(page, dir, "serve_report.png");
      assert.equal(await page.title(), "socklab serve");
      const table = "#inter-arrival-times table";
      const rows = await tableRows(page, table);
      assert.deepEqual(
        rows.map((r) => [r[0], Number(r[1])]),
        [
          ["connection", summary.connectionInterArrival.count],
          ["data", summary.dataInterArrival.count],
        ],
      );
      const charts = await page.$$eval("figure.chart", (figures) =>
        figures.map((f) => ({
          title: f.getAttribute("aria-label"),
          // Each variant draws the bars of the four percentile bands.
          bars: f.querySelectorAll('[aria-roledescription="bar"]').length,
        })));
      assert.deepEqual(charts, [
        { title: "Connection inter-arrival times", bars: 8 },
        { title: "Data inter-arrival times", bars: 8 },
      ]);
      assert.match(
        await hoverFirstMark(page),
        /^(min|median|p95|p99)–(median|p95|p99|max): .* ms, \d+% of \d+ connection gaps$/,
      );
      for (const scale of ["log", "linear"]) {
        await page.click(`figure.chart button[data-scale="${scale}"]`);
        assert.match(await visibleAxis(page, 0, "X"), new RegExp(`for a ${scale} scale`));
      }
      await checkSort(page, table, "count", 1);
      assertQuiet(log);
    });
  },
});

Deno.test({
  name: "serverHtml() page shows the tooltip of the bar on top where a zero-wide band lies under " +
    "its neighbour",
  ...browserTest("server_html_test.ts"),
  fn: async () => {
    // Two connection gaps as the histogram summarizes them: min and median alike, so the
    // min–median bar is drawn at the least width, inside the median–p95 bar's span.
    const gaps = { count: 2, mean: 2.1, min: 2.03, median: 2.03, p95: 2.17, p99: 2.17, max: 2.17 };
    const summary = {
      mode: "async",
      layout: "one event loop",
      startedAt: 0,
      stoppedAt: 1000,
      incomplete: false,
      opened: 3,
      aborted: 0,
      shed: 0,
      closed: 3,
      openAtShutdown: 0,
      ends: { client: 3 },
      messages: 3,
      bytesIn: 30,
      bytesOut: 0,
      oversized: 0,
      connectionInterArrival: gaps,
      dataInterArrival: { ...gaps, count: 0 },
      perWorker: {},
      warnings: 0,
    };
    const dir = await artifactDir("serve_report_narrow");
    const file = `${dir}/serve.html`;
    await Deno.writeTextFile(file, await serverHtml(summary, "serve"));
    await withPage(file, async (page, log) => {
      assert.match(await hoverFirstMark(page), /connection gaps$/);
      assertQuiet(log);
    });
  },
});

Deno.test("percentileBins() spans min to max in four bands holding 50, 45, 4 and 1 %", () => {
  const s = summarize(Array.from({ length: 1000 }, (_, i) => 10 + i / 10));
  const bins = percentileBins(s);
  assert.deepEqual(bins.map((b) => b.band), ["min–median", "median–p95", "p95–p99", "p99–max"]);
  assert.deepEqual(bins.map((b) => b.percent), [50, 45, 4, 1]);
  assert.deepEqual(bins.map((b) => [b.fromMs, b.toMs]), [
    [s.min, s.median],
    [s.median, s.p95],
    [s.p95, s.p99],
    [s.p99, s.max],
  ]);
  // Equal samples still give bars with a width to draw; no samples give none.
  const flat = percentileBins(summarize([5, 5, 5]));
  for (const bin of flat) assert.ok(bin.toMs > bin.fromMs, `${bin.band} has a width`);
  assert.deepEqual(percentileBins(summarize([])), []);
});
