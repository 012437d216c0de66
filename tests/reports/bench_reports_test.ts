/** Tests for the bench reporters in lib/reports/: CSV, JSON, Markdown, terminal table, SVG. */

import assert from "node:assert/strict";
import {
  emptyFailures,
  type FailureCounts,
  type RunRecord,
  type ScaleConnectionRow,
  type ScaleResult,
  type ScaleSummary,
  summarizeSweep,
  type SweepMeasurement,
  type SweepResult,
  totalFailures,
} from "../../lib/bench/bench_result.ts";
import { scaleCsv, sweepCsv } from "../../lib/reports/bench_csv.ts";
import { benchFiles } from "../../lib/reports/bench_files.ts";
import { benchHtml } from "../../lib/reports/bench_html.ts";
import { benchMarkdown } from "../../lib/reports/bench_markdown.ts";
import { chartFiles, scaleChartsSvg, sweepChartSvg } from "../../lib/reports/bench_svg.ts";
import { benchTable } from "../../lib/reports/bench_text.ts";
import { scaleSettings, TEST_ENVIRONMENT } from "../bench/bench_support.ts";
import {
  assertOneSeriesEach,
  chartSeries,
  csvRecords,
  markdownTable,
  SCALE_SUMMARY_COLUMNS,
} from "../report_support.ts";

// ---------------------------------------------------------------------------
// Synthetic results

const MODES = ["iter", "async", "thr", "proc"];
const CLIENTS = [10, 20, 30];
const RUNS = 2;

/** Run 1 and run 2 of a cell differ by a mode-dependent gap, so the median is their mean. */
function sweepTime(modeIndex: number, clients: number, run: number): number {
  const base = (modeIndex + 1) * 1000 + clients * 10.5;
  return run === 1 ? base : base + 100 + modeIndex;
}

function expectedMedianMs(mode: string, clients: number): number {
  const i = MODES.indexOf(mode);
  return (sweepTime(i, clients, 1) + sweepTime(i, clients, 2)) / 2;
}

/** When and where the synthetic runs were made. */
const RECORD: RunRecord = {
  startedAt: "2025-01-02T03:04:05.000Z",
  endedAt: "2025-01-02T03:09:06.500Z",
  environment: TEST_ENVIRONMENT,
};

/** A count beyond the open-file limit. */
const SKIPPED = { connections: 9000, reason: "9000 connections need about 9064 open files" };

const FAILURE_COLUMNS = [
  "failures_connect",
  "failures_reset",
  "failures_timeout",
  "failures_mismatch",
];

const MISMATCH = { conn: 2, request: 1, expected: '"321cba"', got: '"Error: no"' };
const TIMEOUT = { conn: 7, request: 3, expected: '"321cba"', got: "nothing within 30.0s" };
const RESET = { conn: 9, request: 1, expected: '"321cba"', got: "the connection was reset" };

function sweepResult(): SweepResult {
  const measurements: SweepMeasurement[] = [];
  for (const [i, mode] of MODES.entries()) {
    for (const clients of CLIENTS) {
      for (let run = 1; run <= RUNS; run++) {
        const failing = mode === "thr" && clients === 30 && run === 2;
        measurements.push({
          mode,
          clients,
          run,
          totalMs: sweepTime(i, clients, run),
          failures: { ...emptyFailures(), mismatch: failing ? 3 : 0 },
          examples: failing ? { mismatch: MISMATCH } : {},
        });
      }
    }
  }
  return {
    kind: "sweep",
    ...RECORD,
    settings: {
      targets: MODES,
      clients: CLIENTS,
      runs: RUNS,
      delayMs: 3000,
      request: "abc",
      clientIo: "node",
      clientWorkers: 2,
      timeoutMs: 30_000,
      serverWorkers: 2,
    },
    measurements,
    cells: summarizeSweep(measurements),
  };
}

const TARGETS = ["127.0.0.1:65432 (async)", "127.0.0.1:65433 (thr)"];
const COUNTS = [100, 200];
const REQUESTS = 100;
const SIZE = 64;

function scaleResult(): ScaleResult {
  const connections: ScaleConnectionRow[] = [];
  const summaries: ScaleSummary[] = [];
  for (const [t, target] of TARGETS.entries()) {
    for (const count of COUNTS) {
      const failures: FailureCounts = emptyFailures();
      if (t === 1 && count === 200) {
        failures.timeout = 2;
        failures.reset = 1;
      }
      for (let conn = 0; conn < count; conn++) {
        connections.push({
          target,
          connections: count,
          conn,
          requests: REQUESTS,
          bytes: REQUESTS * SIZE,
          durationMs: count * 20 + conn / 7,
          meanResponseMs: count / 10 + t,
          failures: 0,
        });
      }
      const p50 = count / 10 + t;
      summaries.push({
        target,
        connections: count,
        requests: count * REQUESTS,
        bytes: count * REQUESTS * SIZE,
        meanDurationMs: count * 20 + (t + 1) * 111.111,
        meanResponseMs: count / 10 + t + 0.5,
        latency: {
          count: count * REQUESTS,
          meanMs: p50 + 0.5,
          p50Ms: p50,
          p90Ms: p50 * 1.5,
          p99Ms: p50 * 2,
          p999Ms: p50 * 3,
          maxMs: p50 * 4,
        },
        elapsedMs: count * 25,
        requestsPerSec: (count * REQUESTS) / (count * 25 / 1000),
        failures,
        examples: totalFailures(failures) > 0 ? { timeout: TIMEOUT, reset: RESET } : {},
        histogram: "",
        requestPhase: { start: 1_735_787_045_000 + count, end: 1_735_787_045_000 + count * 26 },
      });
    }
  }
  return {
    kind: "scale",
    ...RECORD,
    settings: scaleSettings({
      targets: TARGETS,
      connections: [...COUNTS, SKIPPED.connections],
      requests: REQUESTS,
      size: SIZE,
    }),
    skipped: [SKIPPED],
    connections,
    summaries,
  };
}

// ---------------------------------------------------------------------------
// Helpers: a strict CSV reader, a Markdown table reader, an XML tree walker

function assertNear(actual: number, expected: number, tolerance: number, what: string) {
  assert.ok(
    Number.isFinite(actual) && Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} not within ${tolerance} of ${expected}`,
  );
}

// ---------------------------------------------------------------------------
// CSV

Deno.test("sweepCsv() writes one row per run and one per cell", () => {
  const result = sweepResult();
  const csv = sweepCsv(result);

  const runs = csvRecords(csv.measurements);
  assert.deepEqual(runs.header, ["mode", "clients", "run", "total_ms", ...FAILURE_COLUMNS]);
  assert.equal(runs.records.length, MODES.length * CLIENTS.length * RUNS);
  for (const rec of runs.records) {
    const i = MODES.indexOf(rec.mode);
    assert.ok(i >= 0, rec.mode);
    assertNear(
      Number(rec.total_ms),
      sweepTime(i, Number(rec.clients), Number(rec.run)),
      0.001,
      "total_ms",
    );
  }

  const summary = csvRecords(csv.summary);
  for (
    const col of ["mode", "clients", "runs", "median_ms", "min_ms", "max_ms", ...FAILURE_COLUMNS]
  ) {
    assert.ok(summary.header.includes(col), `summary column ${col}`);
  }
  assert.equal(summary.records.length, MODES.length * CLIENTS.length);
  for (const rec of summary.records) {
    assert.equal(Number(rec.runs), RUNS);
    assertNear(
      Number(rec.median_ms),
      expectedMedianMs(rec.mode, Number(rec.clients)),
      0.001,
      "median_ms",
    );
    const failing = rec.mode === "thr" && rec.clients === "30";
    assert.equal(Number(rec.failures_mismatch), failing ? 3 : 0);
    assert.equal(Number(rec.failures_timeout), 0);
  }
});

Deno.test("scaleCsv() writes one row per connection and one per target × count", () => {
  const result = scaleResult();
  const csv = scaleCsv(result);

  const conns = csvRecords(csv.connections);
  for (const col of ["target", "connections", "conn", "requests", "bytes", "failures"]) {
    assert.ok(conns.header.includes(col), `connections column ${col}`);
  }
  const perTarget = COUNTS.reduce((a, b) => a + b, 0);
  assert.equal(conns.records.length, TARGETS.length * perTarget);
  assert.deepEqual(new Set(conns.records.map((r) => r.target)), new Set(TARGETS));
  assert.ok(conns.records.every((r) => Number(r.bytes) === REQUESTS * SIZE));

  const summary = csvRecords(csv.summary);
  const expectedColumns = SCALE_SUMMARY_COLUMNS;
  assert.deepEqual([...summary.header].sort(), [...expectedColumns].sort());
  assert.equal(summary.records.length, TARGETS.length * COUNTS.length);
  for (const s of result.summaries) {
    const rec = summary.records.find((r) =>
      r.target === s.target && Number(r.connections) === s.connections
    );
    assert.ok(rec, `${s.target} × ${s.connections}`);
    assert.equal(Number(rec.requests), s.connections * REQUESTS);
    assertNear(Number(rec.p99_ms), s.latency.p99Ms, 0.001, "p99_ms");
    assertNear(Number(rec.mean_duration_ms), s.meanDurationMs, 0.001, "mean_duration_ms");
    assert.equal(Number(rec.failures_timeout), s.failures.timeout);
    assert.equal(Number(rec.failures_reset), s.failures.reset);
  }
});

Deno.test("CSV quotes a field that holds a comma or a quote", () => {
  const result = scaleResult();
  result.summaries[0].target = 'host, "a"';
  const { records } = csvRecords(scaleCsv(result).summary);
  assert.equal(records[0].target, 'host, "a"');
});

Deno.test("CSV of an empty result still has its header", () => {
  const result = { ...sweepResult(), measurements: [], cells: [] };
  const { header, records } = csvRecords(sweepCsv(result).measurements);
  assert.deepEqual(header, ["mode", "clients", "run", "total_ms", ...FAILURE_COLUMNS]);
  assert.equal(records.length, 0);
});

// ---------------------------------------------------------------------------
// Files, JSON

Deno.test("benchFiles() names every file --out writes and its JSON round-trips", async () => {
  const sweep = sweepResult();
  const sweepOut = await benchFiles(sweep);
  assert.deepEqual(Object.keys(sweepOut).sort(), [
    "report.html",
    "report.md",
    "sweep.json",
    "sweep.svg",
    "sweep_measurements.csv",
    "sweep_summary.csv",
  ]);
  assert.deepEqual(JSON.parse(sweepOut["sweep.json"]), sweep);

  const scale = scaleResult();
  const scaleOut = await benchFiles(scale);
  assert.deepEqual(Object.keys(scaleOut).sort(), [
    "report.html",
    "report.md",
    "scale.json",
    "scale_connections.csv",
    "scale_duration.svg",
    "scale_response.svg",
    "scale_summary.csv",
  ]);
  assert.deepEqual(JSON.parse(scaleOut["scale.json"]), scale);

  // Every file the report links to is one that is written beside it.
  for (const out of [sweepOut, scaleOut]) {
    const links = [...out["report.md"].matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]);
    assert.ok(links.length >= 3);
    for (const link of links) assert.ok(link in out, `report.md links to ${link}`);
    for (const name of Object.keys(out)) {
      if (name !== "report.md") assert.ok(links.includes(name), `report.md links ${name}`);
    }
  }
});

// ---------------------------------------------------------------------------
// Markdown and terminal table

Deno.test("benchMarkdown() records when, where and how the run was made, and every setting", () => {
  for (const result of [sweepResult(), scaleResult()]) {
    const md = benchMarkdown(result);
    const run = md.slice(md.indexOf("## Run"), md.indexOf("## Settings"));
    assert.deepEqual(run.trim().split("\n").slice(2), [
      "- Command: `socklab bench scale --out 'my dir'`",
      "- Started: 2025-01-02T03:04:05.000Z",
      "- Ended: 2025-01-02T03:09:06.500Z",
      "- socklab 9.8.7, Deno 2.9.6 (V8 15.0, TypeScript 6.0)",
      "- OS: linux x86_64, kernel 6.1.2-test",
      "- CPU: Test CPU @ 3 GHz × 12",
      "- Host: loadhost-1",
      "- Open-file limit: 4096 (hard 8192)",
    ]);
    const settings = md.slice(md.indexOf("## Settings"), md.indexOf("## Summary"));
    const listed = settings.match(/^- [^:]+: `/gm) ?? [];
    assert.equal(listed.length, Object.keys(result.settings).length, settings);
    assert.match(settings, /^- timeout: `30000 ms`$/m);
    assert.ok(!md.includes("undefined"), md);
  }
  assert.match(benchMarkdown(scaleResult()), /^- rate: `none: each request waits for its reply`$/m);
});

Deno.test("benchHtml() labels the run and settings in words and units, not raw keys", async () => {
  const result = sweepResult();
  result.settings.delayMs = 200;
  result.environment = { ...TEST_ENVIRONMENT, fdLimit: { soft: 20000, hard: 20000 } };
  const html = await benchHtml(result);
  const fact = (label: string) =>
    new RegExp(`<th scope="row">${label}</th><td>([^<]*)</td>`).exec(html)?.[1];
  assert.equal(fact("delay"), "200 ms");
  assert.equal(fact("open files"), "20000 (hard 20000)");
  assert.equal(fact("timeout"), "30000 ms");
  for (const key of ["delayMs", "fdLimit", "timeoutMs", "clientIo", "startedAt"]) {
    assert.ok(!html.includes(`<th scope="row">${key}`), `raw key ${key} shown`);
  }
});

Deno.test("benchTable() and benchMarkdown() keep a skipped count in the table, with why", () => {
  const result = scaleResult();
  const text = benchTable(result);
  const md = benchMarkdown(result);
  for (const target of TARGETS) {
    const row = text.split("\n").find((l) => l.startsWith(target) && / 9000 +skipped /.test(l));
    assert.ok(row, `a skipped row for ${target} in:\n${text}`);
    assert.match(
      md,
      new RegExp(`^\\| ${target.replace(/[.()]/g, "\\$&")} \\| 9000 \\| skipped \\|`, "m"),
    );
  }
  // Rows follow the requested order of counts: the skipped one comes last in each target.
  const counts = text.split("\n\n")[0].split("\n").slice(2).map((l) => l.split(/\s{2,}/)[1]);
  assert.deepEqual(counts, ["100", "200", "9000", "100", "200", "9000"]);
  assert.match(
    text,
    /\nSkipped:\n {2}9000 connections: 9000 connections need about 9064 open files\n/,
  );
  assert.match(
    md,
    /## Skipped\n\n- 9000 connections: 9000 connections need about 9064 open files\n/,
  );
});

Deno.test("benchMarkdown() holds a sweep table row per client count, a column per mode", () => {
  const result = sweepResult();
  const md = benchMarkdown(result);
  assert.match(md, /^# .*sweep/m);
  assert.ok(md.includes("2025-01-02T03:04:05.000Z"));
  for (const label of ["servers", "client counts", "runs per cell", "delay", "request"]) {
    assert.match(md, new RegExp(`^- ${label}: \``, "m"), `setting ${label}`);
  }

  const { header, rows } = markdownTable(md, "## Summary");
  assert.equal(rows.length, CLIENTS.length);
  for (const mode of MODES) {
    assert.equal(header.filter((h) => h.split(" ")[0] === mode).length, 1, `column ${mode}`);
  }
  for (const clients of CLIENTS) {
    const row = rows.find((r) => Number(r[0]) === clients);
    assert.ok(row, `row for ${clients} clients`);
    for (const mode of MODES) {
      const col = header.findIndex((h) => h.split(" ")[0] === mode);
      // Seconds with at least millisecond resolution.
      assertNear(Number(row[col]), expectedMedianMs(mode, clients) / 1000, 0.0006, mode);
    }
  }
});

Deno.test("benchMarkdown() holds a scale table row per target × count", () => {
  const result = scaleResult();
  const md = benchMarkdown(result);
  assert.match(md, /^# .*scale/m);
  const { header, rows } = markdownTable(md, "## Summary");
  assert.equal(rows.length, result.summaries.length + TARGETS.length);
  const col = (name: RegExp) => {
    const i = header.findIndex((h) => name.test(h));
    assert.ok(i >= 0, `column ${name}`);
    return i;
  };
  const target = col(/target/i);
  const conns = col(/connections/i);
  const requests = col(/requests/i);
  const p99 = col(/p99\b(?!\.)/i);
  const failures = col(/failures/i);
  col(/duration/i);
  col(/response/i);
  col(/p50/i);
  col(/p90/i);
  col(/p99\.9/i);
  col(/max/i);
  col(/req\/s|requests\/s/i);
  for (const s of result.summaries) {
    const row = rows.find((r) => r[target] === s.target && Number(r[conns]) === s.connections);
    assert.ok(row, `${s.target} × ${s.connections}`);
    assert.equal(Number(row[requests]), s.requests);
    assertNear(Number(row[p99]), s.latency.p99Ms, 0.0006, "p99");
    const total = Object.values(s.failures).reduce((a, b) => a + b, 0);
    assert.equal(parseInt(row[failures]), total);
  }
  assert.ok(
    rows.some((r) => /timeout/.test(r[failures]) && /reset/.test(r[failures])),
    "failure kinds named",
  );
});

/** The failures cell of the sweep table's row for 30 clients. */
function line3Failures(lines: string[]): string {
  const start = lines[0].indexOf("failures");
  return lines.find((l) => l.trim().startsWith("30 "))!.slice(start).trim();
}

Deno.test("benchTable() and benchMarkdown() give each failure kind its count and first example", () => {
  const sweep = benchTable(sweepResult());
  assert.match(
    sweep,
    /\nFailures by kind:\n {2}wrong reply 3, first at thr, 30 clients, run 2, connection 2, request 1: expected "321cba", got "Error: no"\n$/,
  );
  const scale = benchMarkdown(scaleResult());
  const section = scale.slice(scale.indexOf("## Failures"));
  assert.ok(
    section.includes(
      `- reset 1, first at ${
        TARGETS[1]
      }, 200 connections, connection 9, request 1: expected "321cba", got the connection was reset`,
    ),
    section,
  );
  assert.ok(section.includes("- timeout 2, first at"), section);
  assert.ok(!benchTable({ ...sweepResult(), measurements: [] }).includes("Failures"));
});

Deno.test("benchTable() aligns plain-text columns with a row per summary", () => {
  const sweep = benchTable(sweepResult());
  assert.ok(!sweep.includes("\x1b"), "no escape sequences");
  const lines = sweep.split("\n\n")[0].split("\n");
  assert.equal(lines.length, 2 + CLIENTS.length);
  // Numeric columns are right-aligned: every number of the last mode ends where its header does.
  const lastEnd = lines[0].indexOf(`${MODES.at(-1)} (s)`) + `${MODES.at(-1)} (s)`.length;
  for (const line of lines.slice(2)) assert.match(line.slice(0, lastEnd), /\d$/, sweep);
  assert.equal(line3Failures(lines), "3 (wrong reply 3)");
  for (const mode of MODES) assert.ok(lines[0].includes(mode), mode);
  for (const [i, clients] of CLIENTS.entries()) {
    const cells = lines[2 + i].trim().split(/\s+/);
    assert.equal(Number(cells[0]), clients);
    assertNear(
      Number(cells[1 + MODES.indexOf("thr")]),
      expectedMedianMs("thr", clients) / 1000,
      6e-4,
      "thr",
    );
  }

  const scale = scaleResult();
  const scaleLines = benchTable(scale).split("\n\n")[0].split("\n");
  assert.equal(scaleLines.length, 2 + scale.summaries.length + TARGETS.length);
  // Each column starts where its header starts (text left-aligned, numbers right-aligned).
  const connStart = scaleLines[0].indexOf("connections");
  const connEnd = connStart + "connections".length;
  for (const line of scaleLines.slice(2)) {
    assert.match(line.slice(connStart, connEnd), /^ *\d+$/);
  }
});

// ---------------------------------------------------------------------------
// SVG

Deno.test("sweepChartSvg() is well-formed SVG with one series per mode", async () => {
  const result = sweepResult();
  const svg = await sweepChartSvg(result);
  const chart = assertOneSeriesEach(svg, MODES, CLIENTS.length);
  assert.ok(chart.texts.some((t) => /execution time/i.test(t)), "title or axis title as text");
  assert.ok(chart.texts.some((t) => /clients/i.test(t)), "x axis title as text");
  assert.deepEqual(chartFiles(result), { sweep: "sweep.svg" });
});

Deno.test("scaleChartsSvg() draws duration and response time with one series per target", async () => {
  const result = scaleResult();
  const { duration, response } = await scaleChartsSvg(result);
  const d = assertOneSeriesEach(duration, TARGETS, COUNTS.length);
  const r = assertOneSeriesEach(response, TARGETS, COUNTS.length);
  assert.ok(d.texts.some((t) => /duration/i.test(t)), "duration chart says so");
  assert.ok(r.texts.some((t) => /response/i.test(t)), "response chart says so");
  assert.notEqual(duration, response);
  assert.deepEqual(Object.values(chartFiles(result)).sort(), [
    "scale_duration.svg",
    "scale_response.svg",
  ]);
});

Deno.test("sweepChartSvg() follows the modes it is given", async () => {
  const result = sweepResult();
  const two = result.cells.filter((c) => c.mode === "async" || c.mode === "proc");
  const svg = await sweepChartSvg({ ...result, cells: two });
  assertOneSeriesEach(svg, ["async", "proc"], CLIENTS.length);
  const empty = await sweepChartSvg({ ...result, measurements: [], cells: [] });
  assert.equal(chartSeries(empty).lines.length, 0);
});
