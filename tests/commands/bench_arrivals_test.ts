/**
 * `socklab bench arrivals` as users run it (main.ts in a subprocess): `--quick` writes every
 * report, its verdicts come out right both ways (an exponential client against `async` is
 * consistent with its exponential; the connections of 3 workers queued by `iter` are not at
 * once, and the reason says the iterative server queued them), and `report.html` renders in
 * Chromium with a histogram and CDF per cell; and the command line → options parse.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseBenchArgs } from "../../lib/commands/bench.ts";
import type { ArrivalsResult } from "../../lib/bench/arrivals_result.ts";
import { ARRIVALS_SUMMARY_COLUMNS } from "../../lib/reports/bench_csv.ts";
import {
  artifactDir,
  assertQuiet,
  chromiumMissing,
  keepScreenshot,
  withPage,
} from "../browser_support.ts";
import { csvRecords } from "../report_support.ts";
import { runSocklab } from "../support.ts";

Deno.test("parseBenchArgs() reads bench arrivals: distributions in the client's notation, presets", () => {
  const options = parseBenchArgs([
    "arrivals",
    "--modes",
    "iter,thr",
    "--dists",
    "d:1s,u:2,exp:0.5",
    "--workers-list",
    "3,10",
    "--intervals",
    "7",
    "--seed",
    "42",
  ]);
  assert.equal(options.kind, "arrivals");
  if (options.kind !== "arrivals") return;
  assert.deepEqual(options.targets, [{ kind: "mode", mode: "iter" }, {
    kind: "mode",
    mode: "thr",
  }]);
  assert.deepEqual(options.dists, [
    { text: "d:1s", dist: { kind: "det", param: 1 } },
    { text: "u:2", dist: { kind: "uniform", param: 2 } },
    { text: "exp:0.5", dist: { kind: "exp", param: 0.5 } },
  ]);
  assert.deepEqual([options.workersList, options.events, options.runs, options.seed], [
    [3, 10],
    7,
    1,
    42,
  ]);
  const reference = parseBenchArgs(["arrivals"]);
  assert.ok(reference.kind === "arrivals");
  assert.deepEqual(reference.dists.map((d) => d.text), ["u:2s", "d:1s", "e:1"]);
  assert.deepEqual([reference.workersList, reference.events], [[3], 5]);
  assert.throws(
    () => parseBenchArgs(["arrivals", "--dists", "d:1s,x:2"]),
    /^UsageError: Invalid --dists "d:1s,x:2": "x:2" is not a distribution; expected a list such as d:1s,u:2s,e:1/,
  );
  assert.throws(
    () => parseBenchArgs(["arrivals", "--client-workers", "2"]),
    /Unknown option "--client-workers" for bench arrivals/,
  );
});

Deno.test({
  name: "bench arrivals --quick writes every report, judges both ways and renders in a browser",
  // puppeteer's connection to the browser outlives the test's own operations.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = await artifactDir("report_arrivals");
    const { code, stdout, stderr } = await runSocklab(
      ["bench", "arrivals", "--quick", "--seed", "7", "--out", dir],
      undefined,
      { limitMs: 120_000 },
    );
    assert.equal(code, 0, stderr);
    assert.match(stderr, /^bench arrivals: iter, async x dists d:20ms,e:50 .* estimated /m);
    assert.match(stdout, /^mode\s+dist\s+workers\s+sent/m);
    const files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((f) => !f.endsWith(".png"));
    assert.deepEqual(files.sort(), [
      "arrivals.json",
      "arrivals_async-d-20ms-3w_cdf.svg",
      "arrivals_async-d-20ms-3w_histogram.svg",
      "arrivals_async-e-50-3w_cdf.svg",
      "arrivals_async-e-50-3w_histogram.svg",
      "arrivals_iter-d-20ms-3w_cdf.svg",
      "arrivals_iter-d-20ms-3w_histogram.svg",
      "arrivals_iter-e-50-3w_cdf.svg",
      "arrivals_iter-e-50-3w_histogram.svg",
      "arrivals_means.svg",
      "arrivals_runs.csv",
      "arrivals_summary.csv",
      "report.html",
      "report.md",
    ]);
    const result: ArrivalsResult = JSON.parse(await Deno.readTextFile(`${dir}/arrivals.json`));
    assert.equal(result.settings.seed, 7);
    assert.match(result.environment.commandLine, /bench arrivals --quick --seed 7/);
    const cell = (target: string, dist: string) =>
      result.cells.find((c) => c.target === target && c.dist === dist)!;
    for (const c of result.cells) assert.equal(c.sent, 45, `${c.target} ${c.dist} sent`);
    // Both ways: the exponential's gaps are the client's; iter's connections are queued.
    assert.match(cell("async", "e:50").data!.verdict, /^consistent with the client's exponential/);
    assert.match(cell("async", "e:50").connections!.verdict, /^consistent: accepted at once/);
    assert.match(
      cell("iter", "d:20ms").connections!.verdict,
      /^not at once as the client opened them: the iterative server queued the other workers/,
    );
    // Each gap has the server's life of the connection before it; the last one makes none.
    for (const m of result.measurements) {
      const server = m.server!;
      assert.equal(server.connectionLivesMs.length, server.connectionGapsMs.length + 1);
      assert.ok(server.connectionLivesMs.every((life) => life > 0), `lives of ${m.target}`);
    }
    assert.ok(Number.isFinite(cell("iter", "d:20ms").connections!.deviationMs));
    const summary = csvRecords(await Deno.readTextFile(`${dir}/arrivals_summary.csv`));
    assert.deepEqual(summary.header, [...ARRIVALS_SUMMARY_COLUMNS]);
    assert.equal(summary.records.length, 4);
    assert.match(await Deno.readTextFile(`${dir}/report.md`), /^# socklab bench arrivals/);

    const missing = chromiumMissing();
    if (missing) {
      console.error(`bench_arrivals_test.ts: browser check skipped: ${missing}`);
      return;
    }
    await withPage(`${dir}/report.html`, async (page, log) => {
      await keepScreenshot(page, dir, "report_arrivals.png");
      assert.equal(await page.title(), "socklab bench arrivals");
      const charts = await page.$$eval("figure.chart", (figures) =>
        figures.map((f) => ({
          title: f.getAttribute("aria-label") ?? "",
          marks: f.querySelectorAll('.variant[data-scale="linear"] [aria-roledescription]').length,
        })));
      assert.equal(charts.length, 1 + 2 * 4, "the means chart, then two per cell");
      assert.match(charts[0].title, /^Mean data inter-arrival time: measured/);
      assert.deepEqual(charts.slice(1, 3).map((c) => c.title), [
        "iter, d:20ms, 3 workers: histogram",
        "iter, d:20ms, 3 workers: empirical CDF",
      ]);
      for (const c of charts) assert.ok(c.marks > 0, `${c.title} draws its marks`);
      assertQuiet(log);
    });
  },
});
