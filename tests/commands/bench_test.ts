/**
 * Acceptance tests for `socklab bench`, run as users run it (main.ts in a subprocess):
 * `bench sweep --quick` and a small `bench scale` write CSV, JSON, Markdown and SVG whose
 * contents are checked (row counts and columns; each SVG parses as XML and holds one series per
 * mode), exit 0 and print the summary table; an interrupted run still reports and stops its
 * servers; and the command line → options parse.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseBenchArgs } from "../../lib/commands/bench.ts";
import { UsageError } from "../../lib/cli/flags.ts";
import {
  assertOneSeriesEach,
  chartSeries,
  csvRecords,
  markdownTable,
  SCALE_SUMMARY_COLUMNS,
} from "../report_support.ts";
import denoConfig from "../../deno.json" with { type: "json" };
import { runSocklab, socklabArgs, startServer } from "../support.ts";
import { taskServer } from "../client/reference_servers.ts";
import type { SweepResult } from "../../lib/bench/bench_result.ts";
import { closedPort, withTempDir } from "../bench/bench_support.ts";

/** The silence `--framing auto` once waited for before taking an unterminated request. */
const SILENCE_MS = 50;

// ---------------------------------------------------------------------------
// Helpers

/** Lines of the terminal table: the header line first. */
function terminalTable(stdout: string, firstHeader: string): string[] {
  const lines = stdout.split("\n");
  const start = lines.findIndex((line) => line.startsWith(firstHeader + " "));
  assert.ok(start >= 0, `terminal table with a "${firstHeader}" column in:\n${stdout}`);
  const end = lines.findIndex((line, i) => i > start && line.trim() === "");
  return lines.slice(start, end < 0 ? undefined : end);
}

// ---------------------------------------------------------------------------
// parseBenchArgs

const CPUS = navigator.hardwareConcurrency;

Deno.test("parseBenchArgs() gives a sweep its preset, every mode and the defaults", () => {
  assert.deepEqual(parseBenchArgs(["sweep", "--quick"]), {
    kind: "sweep",
    targets: ["iter", "async", "thr", "proc"].map((mode) => ({ kind: "mode", mode })),
    clientIo: "node",
    clientWorkers: CPUS,
    serverWorkers: CPUS,
    timeoutMs: 30_000,
    out: undefined,
    json: false,
    clients: [5, 10, 20],
    runs: 1,
    delayMs: 200,
    keepGoing: false,
  });
  assert.deepEqual(
    parseBenchArgs([
      "sweep",
      "--modes",
      "thr,iter",
      "--workers",
      "0",
      "--client-workers",
      "3",
      "--runs",
      "5",
      "--out",
      "d",
    ]),
    {
      kind: "sweep",
      targets: [{ kind: "mode", mode: "thr" }, { kind: "mode", mode: "iter" }],
      clientIo: "node",
      clientWorkers: 3,
      serverWorkers: 0,
      timeoutMs: 30_000,
      out: "d",
      json: false,
      clients: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
      runs: 5,
      delayMs: 3000,
      keepGoing: false,
    },
  );
});

Deno.test("parseBenchArgs() makes --io a dimension of the servers it starts", () => {
  const options = parseBenchArgs(["scale", "--modes", "async,thr", "--io", "deno,node"]);
  assert.equal(options.kind, "scale");
  assert.deepEqual(options.kind === "scale" && options.targets, [
    { kind: "mode", mode: "async", io: "deno" },
    { kind: "mode", mode: "async", io: "node" },
    { kind: "mode", mode: "thr", io: "deno" },
    { kind: "mode", mode: "thr", io: "node" },
  ]);
  assert.throws(
    () => parseBenchArgs(["scale", "--server", "127.0.0.1:7000", "--io", "node"]),
    /--io sets up the servers bench starts/,
  );
  assert.throws(() => parseBenchArgs(["sweep", "--io", "tcp"]), /Invalid --io "tcp"/);
});

Deno.test("parseBenchArgs() reads every scale option, an external server included", () => {
  assert.deepEqual(
    parseBenchArgs([
      "scale",
      "--server",
      "[::1]:7000",
      "--connections",
      "10,20",
      "--requests",
      "7",
      "--size",
      "1KiB",
      "--expect",
      "echo",
      "--pace",
      "8",
      "--rate",
      "5",
      "--client-workers",
      "3",
      "--client-io",
      "deno",
      "--timeout",
      "250ms",
      "--start-at",
      "2030-01-02T03:04:05.250Z",
      "--json",
    ]),
    {
      kind: "scale",
      targets: [{ kind: "server", host: "::1", port: 7000 }],
      clientIo: "deno",
      serverWorkers: CPUS,
      timeoutMs: 250,
      out: undefined,
      json: true,
      connections: [10, 20],
      requests: 7,
      size: 1024,
      expect: "echo",
      pace: 8,
      rate: 5,
      clientWorkers: 3,
      startAt: Date.UTC(2030, 0, 2, 3, 4, 5, 250),
    },
  );
  assert.deepEqual(parseBenchArgs(["scale"]), {
    kind: "scale",
    targets: [{ kind: "mode", mode: "async" }],
    clientIo: "node",
    serverWorkers: CPUS,
    timeoutMs: 30_000,
    out: undefined,
    json: false,
    connections: [100, 200, 500, 1000, 1500, 2000, 2500, 3000, 4000],
    requests: 100,
    size: 64,
    expect: "reverse",
    pace: 256,
    rate: undefined,
    clientWorkers: CPUS,
    startAt: undefined,
  });
  const epoch = parseBenchArgs(["scale", "--start-at", "1893456000000"]);
  assert.ok(epoch.kind === "scale" && epoch.startAt === 1893456000000, "epoch milliseconds");
  assert.deepEqual(parseBenchArgs(["merge", "a.json", "b/c.json", "--out", "m", "--json"]), {
    kind: "merge",
    files: ["a.json", "b/c.json"],
    out: "m",
    json: true,
  });
  assert.deepEqual(parseBenchArgs(["scale", "--help"]), { kind: "help" });
  assert.deepEqual(parseBenchArgs(["-h"]), { kind: "help" });
});

Deno.test("parseBenchArgs() rejects what a run would ignore or read too late", () => {
  const cases: [string[], RegExp][] = [
    [[], /Missing benchmark/],
    [["sprint"], /Unknown bench "sprint"/],
    [["sweep", "scale"], /Unexpected argument "scale"/],
    [["merge"], /Missing files/],
    [["merge", "a.json", "--modes", "thr"], /"--modes" for bench merge/],
    [["sweep", "--start-at", "1"], /"--start-at" for bench sweep/],
    [["scale", "--start-at", "tomorrow"], /Invalid --start-at "tomorrow"/],
    [["scale", "--clients", "5"], /"--clients" for bench scale/],
    [["sweep", "--requests", "5"], /"--requests" for bench sweep/],
    [["sweep", "--workers", "many"], /Invalid --workers "many"/],
    [["scale", "--server", "127.0.0.1:9", "--modes", "thr"], /--modes .* --server/],
    [["scale", "--server", "127.0.0.1:9", "--workers", "2"], /--workers .* --server/],
    [["sweep", "--server", "127.0.0.1:9", "--delay", "1s"], /--delay .* --server/],
    [["scale", "--keep-going"], /Unknown option "--keep-going" for bench scale/],
    [["scale", "--server", "nowhere"], /Invalid --server "nowhere"/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseBenchArgs(argv), (error: unknown) => {
      assert.ok(error instanceof UsageError, `${argv.join(" ")}: a UsageError`);
      assert.match(error.message, message);
      return true;
    });
  }
});

// ---------------------------------------------------------------------------
// bench sweep

const SWEEP_MODES = ["iter", "async", "thr", "proc"];
/** Everything `bench sweep --out` writes. */
const SWEEP_FILES = [
  "report.html",
  "report.md",
  "sweep.json",
  "sweep.svg",
  "sweep_measurements.csv",
  "sweep_summary.csv",
];

/** The names in a directory, sorted. */
function filesIn(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

const FAILURE_COLUMNS = [
  "failures_connect",
  "failures_reset",
  "failures_timeout",
  "failures_mismatch",
];
const SWEEP_CLIENTS = [2, 4];
const SWEEP_RUNS = 2;

Deno.test("bench sweep --quick writes CSV, JSON, report.md and an SVG with a series per mode", async () => {
  await withTempDir(async (dir) => {
    const { code, stdout, stderr } = await runSocklab([
      "bench",
      "sweep",
      "--quick",
      "--modes",
      SWEEP_MODES.join(","),
      "--clients",
      SWEEP_CLIENTS.join(","),
      "--runs",
      String(SWEEP_RUNS),
      "--delay",
      "100ms",
      "--out",
      dir,
    ]);
    assert.equal(code, 0, `exit code 0; stderr:\n${stderr}`);

    // The terminal table: a column per mode, a row per client count.
    const table = terminalTable(stdout, "clients");
    assert.deepEqual(table[0].trim().split(/\s{2,}/), [
      "clients",
      ...SWEEP_MODES.map((m) => `${m} (s)`),
      "failures",
    ]);
    const rows = table.slice(2).map((line) => line.trim().split(/\s+/));
    assert.deepEqual(rows.map((r) => Number(r[0])), SWEEP_CLIENTS);
    for (const row of rows) {
      assert.equal(row.length, SWEEP_MODES.length + 2, `table row ${row.join(" ")}`);
      for (const seconds of row.slice(1, -1)) assert.ok(Number(seconds) >= 0.095, `${seconds} s`);
      assert.equal(row.at(-1), "0", "no failures");
    }
    assert.match(stdout, /Reports written to /);

    assert.deepEqual(filesIn(dir), SWEEP_FILES);

    // One measurement row per mode × clients × run; the iterative server serialises clients.
    const measurements = csvRecords(await Deno.readTextFile(`${dir}/sweep_measurements.csv`));
    assert.deepEqual(measurements.header, [
      "mode",
      "clients",
      "run",
      "total_ms",
      ...FAILURE_COLUMNS,
    ]);
    assert.equal(
      measurements.records.length,
      SWEEP_MODES.length * SWEEP_CLIENTS.length * SWEEP_RUNS,
    );
    const floors = new Map<string, number>();
    for (const mode of SWEEP_MODES) {
      for (const clients of SWEEP_CLIENTS) {
        const runs = measurements.records.filter((r) =>
          r.mode === mode && Number(r.clients) === clients
        );
        assert.deepEqual(runs.map((r) => Number(r.run)).sort(), [1, 2], `${mode} × ${clients}`);
        for (const r of runs) {
          for (const column of FAILURE_COLUMNS) assert.equal(r[column], "0");
          const floor = mode === "iter" ? clients * 100 : 100;
          assert.ok(Number(r.total_ms) >= floor * 0.95, `${mode} × ${clients}: ${r.total_ms} ms`);
          floors.set(`${mode}/${clients}`, floor);
        }
      }
    }

    // One summary row per mode × clients; the median lies between min and max.
    const summary = csvRecords(await Deno.readTextFile(`${dir}/sweep_summary.csv`));
    assert.deepEqual(summary.header, [
      "mode",
      "clients",
      "runs",
      "median_ms",
      "min_ms",
      "max_ms",
      ...FAILURE_COLUMNS,
    ]);
    assert.equal(summary.records.length, SWEEP_MODES.length * SWEEP_CLIENTS.length);
    assert.deepEqual(
      summary.records.map((r) => `${r.mode}/${r.clients}`),
      SWEEP_MODES.flatMap((m) => SWEEP_CLIENTS.map((c) => `${m}/${c}`)),
    );
    for (const r of summary.records) {
      assert.equal(Number(r.runs), SWEEP_RUNS);
      // The request has no newline: a server that waited for the client's silence to take it
      // (as `auto` once did, 50 ms) would add that wait to every reply. The fastest run is read, so one slow run on a busy
      // machine does not fail the test.
      const waits = r.mode === "iter" ? Number(r.clients) : 1;
      assert.ok(
        Number(r.min_ms) < floors.get(`${r.mode}/${r.clients}`)! + waits * SILENCE_MS,
        `${r.mode} × ${r.clients}: ${r.min_ms} ms, ${waits} × ${SILENCE_MS} ms over the delay or more`,
      );
      assert.ok(Number(r.min_ms) <= Number(r.median_ms) && Number(r.median_ms) <= Number(r.max_ms));
      for (const column of FAILURE_COLUMNS) assert.equal(r[column], "0");
    }

    // The JSON holds the same measurements and cells.
    const json = JSON.parse(await Deno.readTextFile(`${dir}/sweep.json`));
    assert.equal(json.kind, "sweep");
    assert.deepEqual(json.settings.targets, SWEEP_MODES);
    assert.deepEqual(json.settings.clients, SWEEP_CLIENTS);
    assert.equal(json.settings.runs, SWEEP_RUNS);
    assert.equal(json.settings.delayMs, 100);
    assert.equal(json.measurements.length, measurements.records.length);
    assert.equal(json.cells.length, summary.records.length);
    for (const [i, cell] of json.cells.entries()) {
      assert.equal(cell.mode, summary.records[i].mode);
      assert.equal(cell.clients, Number(summary.records[i].clients));
      assert.ok(Math.abs(cell.medianMs - Number(summary.records[i].median_ms)) < 0.001);
    }

    // report.md: a table row per client count, a column per mode, the chart and the data.
    const report = await Deno.readTextFile(`${dir}/report.md`);
    const md = markdownTable(report, "## Summary");
    assert.deepEqual(md.header, ["clients", ...SWEEP_MODES.map((m) => `${m} (s)`), "failures"]);
    assert.deepEqual(md.rows.map((r) => Number(r[0])), SWEEP_CLIENTS);
    assert.ok(report.includes("](sweep.svg)"), "report links the chart");
    for (const file of ["sweep.json", "sweep_measurements.csv", "sweep_summary.csv"]) {
      assert.ok(report.includes(`](${file})`), `report links ${file}`);
    }

    // The chart: one line per mode, a point per client count.
    const svg = await Deno.readTextFile(`${dir}/sweep.svg`);
    assertOneSeriesEach(svg, SWEEP_MODES, SWEEP_CLIENTS.length);
  });
});

// ---------------------------------------------------------------------------
// bench scale

const SCALE_MODES = ["async", "thr"];
const SCALE_COUNTS = [50, 100];
const SCALE_REQUESTS = 20;
/** Bytes per request: the 64-byte default line and its newline. */
const LINE_BYTES = 65;

Deno.test("bench scale writes CSV, JSON, report.md and SVGs with a series per mode", async () => {
  await withTempDir(async (dir) => {
    const { code, stdout, stderr } = await runSocklab([
      "bench",
      "scale",
      "--modes",
      SCALE_MODES.join(","),
      "--connections",
      SCALE_COUNTS.join(","),
      "--requests",
      String(SCALE_REQUESTS),
      "--out",
      dir,
    ]);
    assert.equal(code, 0, `exit code 0; stderr:\n${stderr}`);

    // The terminal table: a row per mode × count, every one passing.
    const table = terminalTable(stdout, "target");
    for (const column of ["connections", "requests", "p50 (ms)", "p99 (ms)", "req/s", "failures"]) {
      assert.ok(table[0].includes(column), `table column ${column}`);
    }
    const rows = table.slice(2).map((line) => line.trim().split(/\s+/));
    assert.deepEqual(
      rows.map((r) => `${r[0]}/${r[1]}/${r[2]}/${r[3]}`),
      SCALE_MODES.flatMap((m) => SCALE_COUNTS.map((n) => `${m}/${n}/pass/${n * SCALE_REQUESTS}`)),
    );
    for (const row of rows) assert.equal(row.at(-1), "0", "no failures");
    assert.match(stdout, /Reports written to /);

    const files = filesIn(dir);
    assert.deepEqual(files, [
      "report.html",
      "report.md",
      "scale.json",
      "scale_connections.csv",
      "scale_duration.svg",
      "scale_response.svg",
      "scale_summary.csv",
    ]);

    // One row per connection: 2 targets × (50 + 100), each connection numbered once.
    const connections = csvRecords(await Deno.readTextFile(`${dir}/scale_connections.csv`));
    assert.deepEqual(connections.header, [
      "target",
      "connections",
      "conn",
      "requests",
      "bytes",
      "duration_ms",
      "mean_response_ms",
      "failures",
    ]);
    assert.equal(
      connections.records.length,
      SCALE_MODES.length * SCALE_COUNTS.reduce((a, b) => a + b, 0),
    );
    for (const mode of SCALE_MODES) {
      for (const count of SCALE_COUNTS) {
        const step = connections.records.filter((r) =>
          r.target === mode && Number(r.connections) === count
        );
        assert.deepEqual(
          step.map((r) => Number(r.conn)),
          Array.from({ length: count }, (_, i) => i + 1),
          `${mode} × ${count}: connections 1..${count}`,
        );
        for (const r of step) {
          assert.equal(Number(r.requests), SCALE_REQUESTS);
          assert.equal(Number(r.bytes), SCALE_REQUESTS * LINE_BYTES);
          assert.equal(r.failures, "0");
          assert.ok(Number(r.duration_ms) > 0 && Number(r.mean_response_ms) > 0);
          assert.ok(Number(r.mean_response_ms) <= Number(r.duration_ms));
        }
      }
    }

    // One summary row per target × count, no failures, ordered percentiles.
    const summary = csvRecords(await Deno.readTextFile(`${dir}/scale_summary.csv`));
    assert.deepEqual(summary.header, SCALE_SUMMARY_COLUMNS);
    assert.equal(summary.records.length, SCALE_MODES.length * SCALE_COUNTS.length);
    for (const r of summary.records) {
      const count = Number(r.connections);
      assert.equal(Number(r.requests), count * SCALE_REQUESTS);
      assert.equal(Number(r.bytes), count * SCALE_REQUESTS * LINE_BYTES);
      for (const kind of ["connect", "reset", "timeout", "mismatch"]) {
        assert.equal(r[`failures_${kind}`], "0", `${r.target} × ${count}: no ${kind} failures`);
      }
      const [p50, p90, p99, p999, max] = ["p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms"]
        .map((k) => Number(r[k]));
      assert.ok(0 < p50 && p50 <= p90 && p90 <= p99 && p99 <= p999 && p999 <= max, "percentiles");
      assert.ok(Number(r.requests_per_sec) > 0 && Number(r.elapsed_ms) > 0);
    }

    const json = JSON.parse(await Deno.readTextFile(`${dir}/scale.json`));
    assert.equal(json.kind, "scale");
    assert.deepEqual(json.settings.targets, SCALE_MODES);
    assert.deepEqual(json.settings.connections, SCALE_COUNTS);
    assert.equal(json.settings.requests, SCALE_REQUESTS);
    assert.equal(json.connections.length, connections.records.length);
    assert.equal(json.summaries.length, summary.records.length);
    for (const s of json.summaries) assert.equal(s.latency.count, s.requests, "a latency each");

    const report = await Deno.readTextFile(`${dir}/report.md`);
    const md = markdownTable(report, "## Summary");
    assert.equal(md.header[0], "target");
    assert.deepEqual(
      md.rows.map((r) => `${r[0]}/${r[1]}`),
      SCALE_MODES.flatMap((m) => SCALE_COUNTS.map((n) => `${m}/${n}`)),
    );
    for (const file of ["scale_duration.svg", "scale_response.svg", "scale.json"]) {
      assert.ok(report.includes(`](${file})`), `report links ${file}`);
    }

    // Both charts: one line per mode, a point per connection count.
    for (const file of ["scale_duration.svg", "scale_response.svg"]) {
      assertOneSeriesEach(await Deno.readTextFile(`${dir}/${file}`), SCALE_MODES, 2);
    }
  });
});

// ---------------------------------------------------------------------------
// The record of a run

Deno.test("bench scale records the run and keeps a count the open-file limit skips, with why", async () => {
  await withTempDir(async (dir) => {
    const args = ["bench", "scale", "--connections", "20,5000", "--requests", "5", "--out", dir];
    const before = Date.now();
    // Under a hard limit of 1024 open files, 5000 connections cannot be reached.
    const output = await new Deno.Command("prlimit", {
      args: ["--nofile=1024:1024", Deno.execPath(), ...socklabArgs(args)],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const after = Date.now();
    const stdout = new TextDecoder().decode(output.stdout);
    assert.equal(output.code, 1, "a skipped count makes a non-zero exit");
    const why = "5000 connections need about 5064 open files, but the limit is 1024 (hard 1024)";
    assert.match(stdout, /^async +5000 +skipped( +-)+$/m);
    assert.ok(stdout.includes(`\nSkipped:\n  5000 connections: ${why}`), stdout);

    const json = JSON.parse(await Deno.readTextFile(`${dir}/scale.json`));
    assert.deepEqual(json.settings, {
      targets: ["async"],
      connections: [20, 5000],
      requests: 5,
      size: 64,
      expect: "reverse",
      pace: 256,
      rate: null,
      clientWorkers: navigator.hardwareConcurrency,
      clientIo: "node",
      serverWorkers: navigator.hardwareConcurrency,
      timeoutMs: 30_000,
    });
    assert.equal(json.skipped.length, 1);
    assert.equal(json.skipped[0].connections, 5000);
    assert.ok(json.skipped[0].reason.startsWith(why), json.skipped[0].reason);
    assert.deepEqual(json.summaries.map((s: { connections: number }) => s.connections), [20]);

    const { cpuModel, ...environment } = json.environment;
    assert.deepEqual(environment, {
      socklab: denoConfig.version,
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      typescript: Deno.version.typescript,
      os: `${Deno.build.os} ${Deno.build.arch}`,
      kernel: Deno.osRelease(),
      cpuCount: navigator.hardwareConcurrency,
      host: Deno.hostname(),
      fdLimit: { soft: 1024, hard: 1024 },
      commandLine: `socklab ${args.join(" ")}`,
    });
    assert.ok(cpuModel.length > 0 && cpuModel !== "unknown", cpuModel);

    // The start is before the measurement, the end after it.
    const started = Date.parse(json.startedAt);
    const ended = Date.parse(json.endedAt);
    assert.ok(before <= started && ended <= after, `${json.startedAt} .. ${json.endedAt}`);
    assert.ok(ended - started >= Math.floor(json.summaries[0].elapsedMs), "start to end");

    const report = await Deno.readTextFile(`${dir}/report.md`);
    for (
      const line of [
        `- Command: \`socklab ${args.join(" ")}\``,
        `- Started: ${json.startedAt}`,
        `- Ended: ${json.endedAt}`,
        `- socklab ${denoConfig.version}, Deno ${Deno.version.deno}`,
        `- OS: ${Deno.build.os} ${Deno.build.arch}, kernel ${Deno.osRelease()}`,
        `- CPU: ${cpuModel} × ${navigator.hardwareConcurrency}`,
        "- Open-file limit: 1024 (hard 1024)",
        "- rate: `none: each request waits for its reply`",
        `- 5000 connections: ${why}`,
      ]
    ) {
      assert.ok(report.includes(line), `report.md has "${line}":\n${report}`);
    }
    assert.ok(!report.includes("undefined"), report);
  });
});

// ---------------------------------------------------------------------------
// Output paths

Deno.test("bench fails at once, in one line naming --out and the path, when --out cannot be written", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/existing.txt`;
    await Deno.writeTextFile(file, "keep me\n");
    for (
      const [out, why] of [[file, /it is a file/], [
        "/proc/socklab/nope",
        /cannot write there/,
      ]] as const
    ) {
      const started = performance.now();
      const run = await runSocklab(["bench", "sweep", "--quick", "--out", out]);
      const seconds = (performance.now() - started) / 1000;
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stdout, "");
      const lines = run.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, run.stderr);
      assert.ok(lines[0].startsWith(`socklab: Invalid --out "${out}": `), lines[0]);
      assert.match(lines[0], why);
      assert.ok(seconds < 5, `nothing was run first (${seconds.toFixed(1)} s)`);
    }
    assert.equal(await Deno.readTextFile(file), "keep me\n");
  });
});

Deno.test("bench prints its table and writes the other reports when one cannot be written", async () => {
  const refused = closedPort();
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/report.md`);
    const run = await runSocklab([
      "bench",
      "sweep",
      "--server",
      `127.0.0.1:${refused}`,
      "--clients",
      "1",
      "--runs",
      "1",
      "--out",
      dir,
    ]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^clients .* failures$/m);
    assert.match(run.stderr, new RegExp(`^socklab: Could not write ${dir}/report\\.md: `, "m"));
    assert.deepEqual(filesIn(dir), SWEEP_FILES);
    assert.ok(Deno.statSync(`${dir}/report.md`).isDirectory);
    assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/sweep.json`)).kind, "sweep");
  });
});

// ---------------------------------------------------------------------------
// A server that answers wrongly

/** Runs a small sweep against the 004 Problem-1 server's stand-in, which answers wrongly. */
async function sweepWrongServer(...extra: string[]) {
  const server = taskServer();
  try {
    return await withTempDir(async (dir) => {
      const run = await runSocklab(
        [
          "bench",
          "sweep",
          "--server",
          `127.0.0.1:${server.port}`,
          "--clients",
          "2,3",
          "--runs",
          "1",
          "--timeout",
          "20s",
          "--out",
          dir,
          ...extra,
        ],
        undefined,
        { limitMs: 60_000 },
      );
      const json: SweepResult = JSON.parse(await Deno.readTextFile(`${dir}/sweep.json`));
      const csv = csvRecords(await Deno.readTextFile(`${dir}/sweep_measurements.csv`));
      const svg = await Deno.readTextFile(`${dir}/sweep.svg`);
      return { ...run, json, csv, svg };
    });
  } finally {
    await server.close();
  }
}

Deno.test("bench sweep --server against a server that answers wrongly fails its cells at once and stops", async () => {
  const started = performance.now();
  const { code, stdout, stderr, json, csv } = await sweepWrongServer();
  assert.ok(performance.now() - started < 15_000, "a wrong reply is no timeout");
  assert.equal(code, 1);
  assert.match(stderr, /delay unknown/);
  assert.doesNotMatch(stderr, /delay 3\.0s/);
  assert.match(stderr, /every request of .*, 2 clients failed \(wrong reply 2\).*--keep-going/);
  assert.deepEqual(json.measurements.map((m) => [m.clients, m.totalMs]), [[2, null]]);
  assert.equal(json.measurements[0].failures.mismatch, 2);
  assert.equal(json.settings.delayMs, null);
  assert.equal(csv.records[0].total_ms, "");
  assert.match(stdout, /^ +2 +failed +2 \(wrong reply 2\)$/m);
  assert.match(stdout, /wrong reply 2, first at .*expected "321gnirtStseTkramhcneB", got "Error: /);
});

Deno.test("bench sweep --keep-going measures every cell and charts none that failed", async () => {
  const { code, json, svg } = await sweepWrongServer("--keep-going");
  assert.equal(code, 1);
  assert.deepEqual(json.measurements.map((m) => [m.clients, m.totalMs]), [[2, null], [3, null]]);
  assert.equal(json.cells.every((c) => c.medianMs === null), true);
  assert.equal(chartSeries(svg).lines.length, 0, "no point for a cell without a time");
});

// ---------------------------------------------------------------------------
// Interrupted runs

/**
 * Starts `socklab bench <args> --out DIR`, waits for `ready` on its output, sends `signal` to
 * the bench process alone (as `kill` does) and returns what it printed and wrote, and whether
 * the servers it announced still accept connections.
 */
async function interrupt(args: string[], ready: RegExp, signal: Deno.Signal) {
  return await withTempDir(async (dir) => {
    const bench = await startServer(["bench", ...args, "--out", dir]);
    await bench.waitFor(ready);
    bench.kill(signal);
    const { code, stdout, stderr } = await bench.finished;
    const listening: number[] = [];
    for (const port of bench.lines(/listening on 127\.0\.0\.1:(\d+) /).map(Number)) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        listening.push(port);
      } catch { /* refused: stopped */ }
    }
    const files = filesIn(dir);
    const kind = args[0];
    const json = files.includes(`${kind}.json`)
      ? JSON.parse(await Deno.readTextFile(`${dir}/${kind}.json`))
      : undefined;
    const report = files.includes("report.md") ? await Deno.readTextFile(`${dir}/report.md`) : "";
    return { code, stdout, stderr, listening, files, json, report };
  });
}

Deno.test("bench sweep interrupted by SIGINT prints and writes what it measured, stops its server, exits 130", async () => {
  const run = await interrupt(
    ["sweep", "--modes", "iter,async", "--clients", "2", "--runs", "50", "--delay", "100ms"],
    /iter, 2 clients, run 2: /,
    "SIGINT",
  );
  assert.equal(run.code, 130, run.stderr);
  assert.deepEqual(run.listening, [], "no server left listening");
  assert.match(run.stdout, /^Interrupted by SIGINT: /m);
  assert.match(run.stdout, /^clients {2}iter \(s\) {2}failures$/m);
  assert.equal(run.json.interrupted, "SIGINT");
  const measured = run.json.measurements.length;
  assert.ok(measured >= 2 && measured < 50, `${measured} measurements`);
  assert.ok(run.json.measurements.every((m: { mode: string }) => m.mode === "iter"));
  assert.deepEqual(run.json.cells.map((c: { runs: number }) => c.runs), [measured]);
  assert.match(run.report, /\*\*Interrupted by SIGINT: /);
  assert.ok(run.files.includes("sweep_measurements.csv") && run.files.includes("sweep.svg"));
});

Deno.test("bench scale interrupted by SIGTERM or SIGHUP mid-load stops its server pool and exits 130", async () => {
  for (const signal of ["SIGTERM", "SIGHUP"] as const) {
    // 20 connections × 100 requests at 10/s: ten seconds of load unless interrupted.
    const run = await interrupt(
      [
        "scale",
        "--modes",
        "thr",
        "--workers",
        "2",
        "--connections",
        "20",
        "--requests",
        "100",
        "--rate",
        "10",
      ],
      /listening on 127\.0\.0\.1:\d+ /,
      signal,
    );
    assert.equal(run.code, 130, `${signal}: ${run.stderr}`);
    assert.deepEqual(run.listening, [], `${signal}: no server left listening`);
    assert.match(run.stdout, new RegExp(`^Interrupted by ${signal}: `, "m"));
    assert.equal(run.json.interrupted, signal);
    assert.deepEqual(run.json.summaries, [], "the step under way is dropped");
    assert.match(run.report, new RegExp(`Interrupted by ${signal}`));
  }
});

Deno.test("bench arrivals interrupted by SIGINT mid-cell reports the cells before it, stops its server, exits 130", async () => {
  const run = await interrupt(
    ["arrivals", "--modes", "async,iter", "--dists", "d:100ms", "--intervals", "10", "--seed", "1"],
    /\[server iter\] listening on 127\.0\.0\.1:\d+ /,
    "SIGINT",
  );
  assert.equal(run.code, 130, run.stderr);
  assert.deepEqual(run.listening, [], "no server left listening");
  assert.match(run.stdout, /^Interrupted by SIGINT: /m);
  assert.equal(run.json.interrupted, "SIGINT");
  assert.deepEqual(run.json.cells.map((c: { target: string }) => c.target), ["async"]);
  assert.match(run.report, /\*\*Interrupted by SIGINT: /);
});
