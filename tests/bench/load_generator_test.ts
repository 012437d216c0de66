/**
 * The load generator of `bench sweep` and `bench scale`, run as users run it (main.ts in a
 * subprocess) against misbehaving servers written inside the tests: failure kinds, paced
 * requests; and the request-phase rate of merged worker reports.
 *
 * @module
 */

import assert from "node:assert/strict";
import { generateLoad, type LoadWorkerResult } from "../../lib/bench/load_generator.ts";
import { requestPhaseRate } from "../../lib/bench/load_workers.ts";
import { payloadFor } from "../../lib/bench/scale.ts";
import { StartBarrier } from "../../lib/client/start_barrier.ts";
import { runSocklab } from "../support.ts";
import { sleep } from "../support/wait_for.ts";
import { closedPort, readSome, testServer, withTempDir } from "./bench_support.ts";

/** The default 64-byte request line, without its newline. */
const PAYLOAD = payloadFor(64);

/**
 * Runs a small `bench scale` (4 connections × 3 requests unless `extra` says otherwise) against
 * `port`; returns its exit code, output, failure counts and examples, requests,
 * per-connection durations and the slowest reply.
 */
async function scaleFailures(port: number, extra: string[] = []) {
  return await withTempDir(async (dir) => {
    const { code, stdout, stderr } = await runSocklab([
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
      stdout,
      stderr,
      failures: json.summaries[0].failures,
      examples: json.summaries[0].examples,
      requests: json.summaries[0].requests as number,
      durationsMs: (json.connections as { durationMs: number }[]).map((c) => c.durationMs),
      maxLatencyMs: json.summaries[0].latency.maxMs as number,
    };
  });
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
    assert.deepEqual(Object.keys(timedOut.examples), ["timeout"]);
    assert.equal(timedOut.examples.timeout.request, 1);
    assert.equal(timedOut.examples.timeout.expected, JSON.stringify(PAYLOAD));
    assert.equal(timedOut.examples.timeout.got, "nothing within 300ms");
    assert.match(
      timedOut.stdout,
      /^ {2}timeout 4, first at 127\.0\.0\.1:\d+, 4 connections, connection \d, request 1: expected "abc.*", got nothing within 300ms$/m,
    );

    const mismatched = await scaleFailures(wrong.port);
    assert.equal(mismatched.code, 1);
    assert.deepEqual(mismatched.failures, { connect: 0, reset: 0, timeout: 0, mismatch: 12 });
    assert.deepEqual(mismatched.examples.mismatch, {
      conn: 1,
      request: 1,
      expected: JSON.stringify(PAYLOAD),
      got: JSON.stringify("x".repeat(PAYLOAD.length)),
    });
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
  try {
    const reset = await scaleFailures(closing.port);
    assert.equal(reset.code, 1);
    assert.deepEqual(reset.failures, { connect: 0, reset: 4, timeout: 0, mismatch: 0 });
    assert.equal(reset.requests, 4, "the first request of each connection succeeded");
    assert.equal(reset.examples.reset.request, 2);
    assert.match(reset.examples.reset.got, /closed the connection|reset|broken pipe/);

    const port = closedPort();
    const refused = await scaleFailures(port);
    assert.equal(refused.code, 1);
    assert.deepEqual(refused.failures, { connect: 4, reset: 0, timeout: 0, mismatch: 0 });
    assert.equal(refused.examples.connect.request, 0);
    assert.equal(refused.examples.connect.expected, `a connection to 127.0.0.1:${port}`);
    assert.match(refused.examples.connect.got, new RegExp(`refused by 127.0.0.1:${port}`));
  } finally {
    await closing.close();
  }
});

/**
 * The reference's Problem-2 server (004): reads one request, waits, sends the reversed bytes
 * with no newline and closes.
 */
function referenceReverser() {
  return testServer(async (conn) => {
    const data = await readSome(conn);
    if (!data) return;
    await sleep(50);
    const text = new TextDecoder().decode(data);
    await conn.write(new TextEncoder().encode([...text].reverse().join("")));
  });
}

Deno.test("bench sweep takes a reply ended by the server's close as a reply", async () => {
  const server = referenceReverser();
  try {
    await withTempDir(async (dir) => {
      const { code, stdout, stderr } = await runSocklab([
        "bench",
        "sweep",
        "--server",
        `127.0.0.1:${server.port}`,
        "--clients",
        "3,5",
        "--runs",
        "1",
        "--out",
        dir,
      ]);
      assert.equal(code, 0, `${stdout}\n${stderr}`);
      const json = JSON.parse(await Deno.readTextFile(`${dir}/sweep.json`));
      assert.equal(json.measurements.length, 2);
      for (const m of json.measurements) {
        assert.deepEqual(m.failures, { connect: 0, reset: 0, timeout: 0, mismatch: 0 });
        assert.ok(m.totalMs >= 45, `the server's wait is measured: ${m.totalMs} ms`);
      }
      assert.ok(!stdout.includes("Failures"), stdout);
    });
  } finally {
    await server.close();
  }
});

Deno.test("bench sweep and scale report each failure kind with what was expected and what came", async () => {
  const wrong = testServer(async (conn) => {
    if (await readSome(conn)) await conn.write(new TextEncoder().encode("Error: no such op\n"));
  });
  const reference = referenceReverser();
  try {
    const sweep = await runSocklab([
      "bench",
      "sweep",
      "--server",
      `127.0.0.1:${wrong.port}`,
      "--clients",
      "2",
      "--runs",
      "2",
    ]);
    assert.equal(sweep.code, 1);
    assert.match(sweep.stdout, /^clients .* failures$/m);
    assert.match(sweep.stdout, /^ *2 .* 4 \(wrong reply 4\)$/m);
    assert.match(
      sweep.stdout,
      /\nFailures by kind:\n {2}wrong reply 4, first at 127\.0\.0\.1:\d+, 2 clients, run 1, connection \d, request 1: expected "321gnirtStseTkramhcneB", got "Error: no such op"\n/,
    );

    // A line with its newline, reversed by the reference server, comes back newline first:
    // wrong at once; then the server has closed, so the second request gets no reply.
    const scale = await scaleFailures(reference.port, [
      "--connections",
      "2",
      "--requests",
      "2",
      "--expect",
      "reverse",
    ]);
    assert.equal(scale.code, 1);
    assert.deepEqual(scale.failures, { connect: 0, reset: 2, timeout: 0, mismatch: 2 });
    const reversed = [...PAYLOAD].reverse().join("");
    assert.equal(scale.examples.mismatch.expected, JSON.stringify(reversed));
    assert.equal(scale.examples.mismatch.got, JSON.stringify("\n" + reversed));
    assert.equal(scale.examples.reset.request, 2);
    assert.match(scale.examples.reset.got, /the server (had )?closed the connection/);
  } finally {
    await wrong.close();
    await reference.close();
  }
});

Deno.test("bench scale holds every second request until every connection's first reply came", async () => {
  // The server notes each request it answers; the last connection's first reply comes late.
  const CONNECTIONS = 6;
  const events: string[] = [];
  let accepted = 0;
  const server = testServer(async (conn) => {
    const index = ++accepted;
    let request = 0;
    for (let data = await readSome(conn); data !== null; data = await readSome(conn)) {
      request++;
      if (index === CONNECTIONS && request === 1) {
        await sleep(300);
      }
      events.push(request === 1 ? "first" : "later");
      await conn.write(data);
    }
  });
  try {
    const run = await scaleFailures(server.port, [
      "--connections",
      String(CONNECTIONS),
      "--pace",
      "1",
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.requests, CONNECTIONS * 3);
    // Like ldgen -P: the request phase starts once all are up, so no later request comes
    // before the last first one was answered.
    assert.equal(events.lastIndexOf("first"), CONNECTIONS - 1, events.join(" "));
  } finally {
    await server.close();
  }
});

Deno.test("bench scale --rate paces requests, idle gaps longer than the timeout included", async () => {
  const echo = testServer(async (conn) => {
    for (let data = await readSome(conn); data !== null; data = await readSome(conn)) {
      await conn.write(data);
    }
  });
  try {
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

    // One request every second: the idle gap is no timeout. The timeout is ten times the
    // slowest reply of the run above, the machine's round trip as it is now (at least 200 ms,
    // at most 500 ms): a busy machine that slows replies lengthens it, while the gap stays at
    // least twice the timeout, so that an idle gap counted as waiting would still time out.
    const timeoutMs = Math.min(500, Math.max(200, Math.ceil(10 * quick.maxLatencyMs)));
    const slow = await scaleFailures(echo.port, [
      "--requests",
      "2",
      "--rate",
      "1",
      "--timeout",
      `${timeoutMs}ms`,
    ]);
    assert.equal(slow.code, 0, slow.stderr);
    assert.deepEqual(slow.failures, { connect: 0, reset: 0, timeout: 0, mismatch: 0 });
    assert.equal(slow.requests, 8);
    for (const ms of slow.durationsMs) assert.ok(ms >= 990, `paced: ${ms} ms`);
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
    examples: {},
    requests: completed.reduce((a, b) => a + b, 0),
    bytes: 0,
    timing: {
      startedAt: from,
      firstRequestAt: from,
      lastReplyAt: endedAt,
      connectedAt,
      endedAt,
      completed: new Uint32Array(completed),
      completedFrom: from,
    },
  } satisfies LoadWorkerResult;
}

/** How long a worker waiting at the start barrier is watched for connections it must not make. */
const NO_CONNECT_MS = 100;

Deno.test("generateLoad() connects only once every worker of the load has started", async () => {
  let accepted = 0;
  const server = testServer(async (conn) => {
    accepted++;
    while (await readSome(conn) !== null) await conn.write(new TextEncoder().encode("ok\n"));
  });
  try {
    const barrier = new StartBarrier();
    const load = generateLoad({
      host: "127.0.0.1",
      port: server.port,
      first: 1,
      count: 3,
      requests: 2,
      request: "x\n",
      expected: "ok",
      pace: 3,
      io: "node",
      timeoutMs: 10_000,
      barrier: barrier.buffer,
      workers: 2,
    });
    // The other worker of the load has not started: this one waits for it. A load that did
    // not wait would have its loopback connections accepted by this process within a few
    // milliseconds of the call; a busy machine can only make it miss them, never fail wrongly.
    await sleep(NO_CONNECT_MS);
    assert.equal(accepted, 0, "no connection before the last worker arrived");
    const arrivedAt = performance.timeOrigin + performance.now();
    await new StartBarrier(barrier.buffer).arrive(2);
    new StartBarrier(barrier.buffer).release(Date.now());
    const result = await load;
    assert.equal(result.requests, 6);
    assert.equal(accepted, 3);
    assert.ok(result.timing.startedAt >= arrivedAt, "the start counts from the last arrival");
  } finally {
    await server.close();
  }
});

Deno.test("requestPhaseRate() rates the requests after the start barrier, like ldgen", () => {
  // Worker A connected all by 1002.5, worker B by 1004.2: the phase runs from 1005 to 1010.
  const a = workerResult(1002.5, 1009.5, 1000, [5, 5, 5, 5, 5, 1, 1, 1, 1, 1]);
  const b = workerResult(1004.2, 1010, 1001, [7, 7, 7, 7, 2, 2, 2, 2, 2, 2]);
  assert.equal(requestPhaseRate([a, b]), (5 + 12) / 0.005);
  // Everything answered before the release: no request phase.
  assert.equal(requestPhaseRate([workerResult(1009, 1010, 1000, [3, 3])]), undefined);
  assert.equal(requestPhaseRate([]), undefined);
});
