/**
 * `serve --html FILE` in a real browser: server runs with a client against them write the
 * page; headless Chromium opens it with the network cut off and the test reads the rendered
 * page: no console errors and no requests, the inter-arrival table (counts as the summary
 * JSON has them, sortable, with the coefficient of variation), a histogram and an empirical
 * CDF each for connections and data with the exponential drawn over them, hover values and
 * the count-axis switch; and an exponential client's data gaps drawn in another shape than a
 * deterministic client's. The screenshot is kept in the test's temporary folder.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "../browser_support.ts";
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
const EVENTS = 30;

/** A server run with `--html` against a client drawing `dist`; the summary JSON. */
async function servedPage(file: string, ...dist: string[]) {
  const server = await startServer([
    ...SERVE,
    "--max-connections",
    String(WORKERS),
    "--json",
    "--html",
    file,
  ]);
  const client = await runSocklab(
    clientArgs(server.port, "-w", String(WORKERS), "-n", String(EVENTS), "--seed", "7", ...dist),
  );
  assert.equal(client.code, 0, client.stderr);
  const { code, stdout, stderr } = await server.finished;
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout);
}

/** The heights of the bars of the data histogram's linear variant (chart 2), in pixels. */
function dataBarHeights(page: Page): Promise<number[]> {
  return page.$$eval(
    "figure.chart",
    (figures) =>
      [...figures[2].querySelectorAll('.variant[data-scale="linear"] [aria-roledescription="bar"]')]
        .map((bar) => bar.getBoundingClientRect().height),
  );
}

Deno.test({
  name: "serve --html draws each inter-arrival distribution as it is, an exponential client's " +
    "unlike a deterministic one's",
  ...browserTest("server_html_test.ts"),
  fn: async () => {
    const dir = await artifactDir("serve_report");
    const expFile = `${dir}/serve.html`;
    const detFile = `${dir}/serve_det.html`;
    // Mean 50 ms either way: long enough beside the few ms a busy machine's timers wake late.
    const summary = await servedPage(expFile, "-d", "e", "-p", "20");
    await servedPage(detFile, "-d", "d", "-p", "0.05");
    assert.equal(summary.dataInterArrival.count, WORKERS * (EVENTS - 1));

    const [exp, det] = await withPage(expFile, async (page, log) => {
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
          bars: f.querySelectorAll('[aria-roledescription="bar"]').length > 0,
          lines: f.querySelectorAll('[aria-roledescription="line mark"]').length > 0,
          reference: [...f.querySelectorAll("button[data-series]")].map((b) => b.textContent),
        })));
      assert.deepEqual(charts.map((c) => [c.title, c.bars, c.lines]), [
        ["Connection inter-arrival times: histogram", true, true],
        ["Connection inter-arrival times: empirical CDF", false, true],
        ["Data inter-arrival times: histogram", true, true],
        ["Data inter-arrival times: empirical CDF", false, true],
      ]);
      for (const c of charts) assert.match(c.reference[1] ?? "", /^exponential, mean .* ms/);
      assert.match(await hoverFirstMark(page), / ms: \d+ of \d+ connection gaps$/);
      for (const scale of ["log", "linear"]) {
        await page.click(`figure.chart button[data-scale="${scale}"]`);
        assert.match(await visibleAxis(page, 0, "Y"), new RegExp(`for a ${scale} scale`));
      }
      await checkSort(page, table, "count", 1);
      const exp = { cv: Number(rows[1][8]), bars: await dataBarHeights(page) };
      // The deterministic run's page, in the same browser.
      await page.goto(new URL(`file://${detFile}`).href, { waitUntil: "load" });
      const detRows = await tableRows(page, table);
      const det = { cv: Number(detRows[1][8]), bars: await dataBarHeights(page) };
      assertQuiet(log);
      return [exp, det];
    });
    // Wide bounds: the machine is shared, and timers wake late.
    assert.ok(exp.cv > 0.6 && exp.cv < 1.5, `exponential CV ${exp.cv}`);
    assert.ok(det.cv < 0.5, `deterministic CV ${det.cv}`);
    // Exponential gaps pile up near 0 and thin out; a steady stream's pile up around its
    // interval, far from 0: compare the share of the gaps drawn in the first quarter of the axis.
    const nearZero = (bars: number[]) =>
      bars.slice(0, Math.ceil(bars.length / 4)).reduce((a, b) => a + b, 0) /
      bars.reduce((a, b) => a + b, 0);
    assert.ok(nearZero(exp.bars) > 0.4, `exponential: ${exp.bars.join(" ")}`);
    assert.ok(nearZero(det.bars) < 0.2, `deterministic: ${det.bars.join(" ")}`);
  },
});
