/**
 * Acceptance tests for `socklab bench`, run as users run it (main.ts in a subprocess):
 * `bench sweep --quick` and a small `bench scale` write CSV, JSON, Markdown and SVG whose
 * contents are checked (row counts and columns; each SVG parses as XML and holds one series per
 * mode), exit 0 and print the summary table. Also: the load generator's failure kinds against
 * misbehaving in-test servers, and its request-phase rate.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type LoadWorkerResult, requestPhaseRate } from "../../lib/bench/load_worker.ts";
import { assertOneSeriesEach, csvRecords, markdownTable } from "../report_support.ts";
import { runSocklab } from "../support.ts";

// ---------------------------------------------------------------------------
// Helpers

/** Runs `body` with a fresh temporary directory, removed afterwards. */
async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "socklab_bench_test_" });
  try {
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Lines of the terminal table: the header line first. */
function terminalTable(stdout: string, firstHeader: string): string[] {
  const lines = stdout.split("\n");
  const start = lines.findIndex((line) => line.startsWith(firstHeader + " "));
  assert.ok(start >= 0, `terminal table with a "${firstHeader}" column in:\n${stdout}`);
  const end = lines.findIndex((line, i) => i > start && line.trim() === "");
  return lines.slice(start, end < 0 ? undefined : end);
}

// ---------------------------------------------------------------------------
// bench sweep

const SWEEP_MODES = ["iter", "async", "thr", "proc"];
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

    const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(files, [
      "report.html",
      "report.md",
      "sweep.json",
      "sweep.svg",
      "sweep_measurements.csv",
      "sweep_summary.csv",
    ]);

    // One measurement row per mode × clients × run; the iterative server serialises clients.
    const measurements = csvRecords(await Deno.readTextFile(`${dir}/sweep_measurements.csv`));
    assert.deepEqual(measurements.header, ["mode", "clients", "run", "total_ms", "failures"]);
    assert.equal(
      measurements.records.length,
      SWEEP_MODES.length * SWEEP_CLIENTS.length * SWEEP_RUNS,
    );
    for (const mode of SWEEP_MODES) {
      for (const clients of SWEEP_CLIENTS) {
        const runs = measurements.records.filter((r) =>
          r.mode === mode && Number(r.clients) === clients
        );
        assert.deepEqual(runs.map((r) => Number(r.run)).sort(), [1, 2], `${mode} × ${clients}`);
        for (const r of runs) {
          assert.equal(r.failures, "0");
          const floor = mode === "iter" ? clients * 100 : 100;
          assert.ok(Number(r.total_ms) >= floor * 0.95, `${mode} × ${clients}: ${r.total_ms} ms`);
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
      "failures",
    ]);
    assert.equal(summary.records.length, SWEEP_MODES.length * SWEEP_CLIENTS.length);
    assert.deepEqual(
      summary.records.map((r) => `${r.mode}/${r.clients}`),
      SWEEP_MODES.flatMap((m) => SWEEP_CLIENTS.map((c) => `${m}/${c}`)),
    );
    for (const r of summary.records) {
      assert.equal(Number(r.runs), SWEEP_RUNS);
      assert.ok(Number(r.min_ms) <= Number(r.median_ms) && Number(r.median_ms) <= Number(r.max_ms));
      assert.equal(r.failures, "0");
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

    const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
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
    assert.deepEqual(summary.header, [
      "target",
      "connections",
      "requests",
      "bytes",
      "mean_duration_ms",
      "mean_response_ms",
      "p50_ms",
      "p90_ms",
      "p99_ms",
      "p999_ms",
      "max_ms",
      "requests_per_sec",
      "elapsed_ms",
      "failures_connect",
      "failures_reset",
      "failures_timeout",
      "failures_mismatch",
    ]);
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
// The load generator's failure kinds, against in-test servers

/** A server on 127.0.0.1 that hands every connection to `serve`; closed by `close()`. */
function testServer(serve: (conn: Deno.TcpConn) => Promise<void>) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.TcpConn>();
  const accepting = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      serve(conn).catch(() => {}).finally(() => {
        conns.delete(conn);
        try {
          conn.close();
        } catch { /* closed already */ }
      });
    }
  })().catch(() => {});
  return {
    port: listener.addr.port,
    async close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed already */ }
      }
      await accepting;
    },
  };
}

/**
 * Runs a small `bench scale` (4 connections × 3 requests unless `extra` says otherwise) against
 * `port`; returns its exit code, failure counts, requests and per-connection durations.
 */
async function scaleFailures(port: number, extra: string[] = []) {
  return await withTempDir(async (dir) => {
    const { code, stderr } = await runSocklab([
      "bench",
      "scale",
      "--server",
      `127.0.0.1:${port}`,
      "--connections",
      "4",
      "--requests",
      "3",
      "--expect",
      "echo",
      "--client-workers",
      "2",
      "--out",
      dir,
      ...extra,
    ]);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/scale.json`));
    return {
      code,
      stderr,
      failures: json.summaries[0].failures,
      requests: json.summaries[0].requests as number,
      durationsMs: (json.connections as { durationMs: number }[]).map((c) => c.durationMs),
    };
  });
}

async function readSome(conn: Deno.TcpConn): Promise<Uint8Array | null> {
  const buffer = new Uint8Array(4096);
  const n = await conn.read(buffer);
  return n === null ? null : buffer.subarray(0, n);
}

Deno.test("bench scale counts a silent server as timeouts, wrong replies as mismatches", async () => {
  // Reads requests and never answers: every connection's first request times out.
  const silent = testServer(async (conn) => {
    while (await readSome(conn) !== null) { /* no reply */ }
  });
  // Answers every request with a wrong line of the right length.
  const wrong = testServer(async (conn) => {
    for (let data = await readSome(conn); data !== null; data = await readSome(conn)) {
      await conn.write(new Uint8Array(data.length).fill(0x78).fill(0x0a, data.length - 1));
    }
  });
  try {
    const started = performance.now();
    const timedOut = await scaleFailures(silent.port, ["--timeout", "300ms"]);
    const waited = performance.now() - started;
    assert.equal(timedOut.code, 1, "failures make a non-zero exit");
    assert.deepEqual(timedOut.failures, { connect: 0, reset: 0, timeout: 4, mismatch: 0 });
    assert.equal(timedOut.requests, 0);
    assert.ok(waited < 10_000, `the timeouts fired in time (${waited} ms)`);

    const mismatched = await scaleFailures(wrong.port);
    assert.equal(mismatched.code, 1);
    assert.deepEqual(mismatched.failures, { connect: 0, reset: 0, timeout: 0, mismatch: 12 });
  } finally {
    await silent.close();
    await wrong.close();
  }
});

Deno.test("bench scale counts a closing server as resets, a closed port as connect failures", async () => {
  // Answers the first request correctly, then closes.
  const closing = testServer(async (conn) => {
    const data = await readSome(conn);
    if (data) await conn.write(data);
  });
  const closedPort = (() => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = listener.addr.port;
    listener.close();
    return port;
  })();
  try {
    const reset = await scaleFailures(closing.port);
    assert.equal(reset.code, 1);
    assert.deepEqual(reset.failures, { connect: 0, reset: 4, timeout: 0, mismatch: 0 });
    assert.equal(reset.requests, 4, "the first request of each connection succeeded");

    const refused = await scaleFailures(closedPort);
    assert.equal(refused.code, 1);
    assert.deepEqual(refused.failures, { connect: 4, reset: 0, timeout: 0, mismatch: 0 });
  } finally {
    await closing.close();
  }
});

Deno.test("bench scale --rate paces requests, idle gaps longer than the timeout included", async () => {
  const echo = testServer(async (conn) => {
    for (let data = await readSome(conn); data !== null; data = await readSome(conn)) {
      await conn.write(data);
    }
  });
  try {
    // One request every 500 ms with a 200 ms timeout: the idle gaps are no timeouts.
    const slow = await scaleFailures(echo.port, [
      "--requests",
      "2",
      "--rate",
      "2",
      "--timeout",
      "200ms",
    ]);
    assert.equal(slow.code, 0, slow.stderr);
    assert.deepEqual(slow.failures, { connect: 0, reset: 0, timeout: 0, mismatch: 0 });
    assert.equal(slow.requests, 8);
    for (const ms of slow.durationsMs) assert.ok(ms >= 490, `paced: ${ms} ms`);

    // Many quick replies at 50/s: latency from the intended send time is never negative.
    const quick = await scaleFailures(echo.port, [
      "--connections",
      "50",
      "--requests",
      "10",
      "--rate",
      "50",
    ]);
    assert.equal(quick.code, 0, quick.stderr);
    assert.deepEqual(quick.failures, { connect: 0, reset: 0, timeout: 0, mismatch: 0 });
    assert.equal(quick.requests, 500);
    for (const ms of quick.durationsMs) assert.ok(ms >= 175, `paced: ${ms} ms`);
  } finally {
    await echo.close();
  }
});

// ---------------------------------------------------------------------------
// The request-phase rate

function workerResult(connectedAt: number, endedAt: number, from: number, completed: number[]) {
  return {
    connections: [],
    histogram: "",
    failures: { connect: 0, reset: 0, timeout: 0, mismatch: 0 },
    requests: completed.reduce((a, b) => a + b, 0),
    bytes: 0,
    timing: {
      startedAt: from,
      firstRequestAt: from,
      connectedAt,
      endedAt,
      completed: new Uint32Array(completed),
      completedFrom: from,
    },
  } satisfies LoadWorkerResult;
}

Deno.test("requestPhaseRate() rates the requests after the last connect, like ldgen", () => {
  // Worker A connected all by 1002.5, worker B by 1004.2: the phase runs from 1005 to 1010.
  const a = workerResult(1002.5, 1009.5, 1000, [5, 5, 5, 5, 5, 1, 1, 1, 1, 1]);
  const b = workerResult(1004.2, 1010, 1001, [7, 7, 7, 7, 2, 2, 2, 2, 2, 2]);
  assert.equal(requestPhaseRate([a, b]), (5 + 12) / 0.005);
  // Everything answered before the last connect: no request phase.
  assert.equal(requestPhaseRate([workerResult(1009, 1010, 1000, [3, 3])]), undefined);
  assert.equal(requestPhaseRate([]), undefined);
});
