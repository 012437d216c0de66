/**
 * `socklab client` run as users run it, against stand-ins of servers the reference programs
 * cannot play (a one-shot server, a silent one, one that closes at once), against socklab's own
 * servers of the wrong kind, and with many logical workers. The reference programs themselves
 * are in `tests/conformance/reference_programs_test.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readLines } from "../../lib/protocols/line_reader.ts";
import {
  closingServer,
  oneShotServer,
  silentServer,
  taskServer,
} from "../client/reference_servers.ts";
import {
  clientArgs,
  numberAfter,
  runSocklab,
  SERVE,
  socklabArgs,
  startServer,
  TASK_SERVE,
} from "../support.ts";
import { sleep } from "../support/wait_for.ts";

/** Long enough for a loaded 2-core machine, short of the 30 s default --timeout. */
const LIMIT = { limitMs: 20_000 };

Deno.test("client --task drives the menu from piped input against the reference task server", async () => {
  const server = taskServer();
  try {
    const { code, stdout, stderr } = await runSocklab(
      clientArgs(server.port, "--task"),
      "1\nHello\n2\n7/2\n3\nabc\n4\n",
      LIMIT,
    );
    assert.equal(code, 0, stderr);
    const results = stdout.split("\n").filter((line) => line.includes("Result: "));
    assert.deepEqual(results.map((l) => l.slice(l.indexOf("Result: "))), [
      "Result: hELLO",
      "Result: 3.5",
      "Result: cba",
    ]);
    // Exit leaves as the reference client does: nothing sent for it.
    assert.deepEqual(server.received, ["1|Hello", "2|7/2", "3|abc"]);
  } finally {
    await server.close();
  }
});

Deno.test("client --task menu at end of input closes the connection and sends nothing", async () => {
  const server = taskServer();
  try {
    const { code, stderr } = await runSocklab(clientArgs(server.port, "--task"), "", LIMIT);
    assert.equal(code, 0, stderr);
    assert.equal(server.accepted, 1);
    assert.deepEqual(server.received, []);
  } finally {
    await server.close();
  }
});

Deno.test("client --task whose standard output closes (| head -3) stops quietly", async () => {
  const server = taskServer();
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: socklabArgs(clientArgs(server.port, "--task")),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(LIMIT.limitMs),
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("3\nabc\n".repeat(2000)));
    await writer.close();
    // Read three lines, as head -3 does, then close the pipe.
    const reader = child.stdout.getReader();
    let text = "";
    while (text.split("\n").length <= 3) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
    assert.equal(stderr, "");
    assert.equal(status.code, 141, "128 + SIGPIPE, as a shell reports cat stopped by the pipe");
  } finally {
    await server.close();
  }
});

Deno.test("client --task --op takes a reply ended by the server's close (Problem-2 server)", async () => {
  const server = oneShotServer(300);
  try {
    const { code, stdout, stderr } = await runSocklab(
      clientArgs(server.port, "--task", "--op", "reverse", "--text", "BenchmarkTestString123"),
      undefined,
      LIMIT,
    );
    assert.equal(code, 0, stderr);
    assert.equal(stdout, "321gnirtStseTkramhcneB|3\n");
  } finally {
    await server.close();
  }
});

Deno.test("client --timeout bounds the greeting from a server that never sends", async () => {
  const server = silentServer();
  try {
    const started = performance.now();
    const { code, stdout, stderr } = await runSocklab(
      clientArgs(server.port, "-w", "2", "-n", "3", "--timeout", "1s"),
      undefined,
      LIMIT,
    );
    const elapsed = performance.now() - started;
    assert.equal(code, 1);
    assert.match(
      stderr,
      new RegExp(
        `\\[Worker 1\\] Error: no greeting from 127\\.0\\.0\\.1:${server.port} within 1\\.0s`,
      ),
    );
    assert.match(stderr, /\[Worker 2\] Error: no greeting/);
    assert.match(stdout, /Events sent: 0 of 6 .*2 workers failed/);
    assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
  } finally {
    await server.close();
  }
});

Deno.test("client --task --timeout bounds the reply from a server that never sends", async () => {
  const server = silentServer();
  try {
    const { code, stdout, stderr } = await runSocklab(
      clientArgs(server.port, "--task", "--op", "eval", "--text", "1+2", "--timeout", "1s"),
      undefined,
      LIMIT,
    );
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      new RegExp(
        `^Error: no reply from 127\\.0\\.0\\.1:${server.port} within 1\\.0s to "2\\|1\\+2"`,
      ),
    );
    assert.deepEqual(server.received, ["2|1+2"]);
  } finally {
    await server.close();
  }
});

Deno.test("client says 'closed by the server' for a clean close before the greeting", async () => {
  const server = closingServer();
  try {
    const { code, stderr } = await runSocklab(
      clientArgs(server.port, "-n", "2", "--timeout", "5s"),
      undefined,
      LIMIT,
    );
    assert.equal(code, 1);
    assert.match(stderr, /\[Worker 1\] Error: connection closed by the server 127\.0\.0\.1:\d+ /);
    assert.doesNotMatch(stderr, /reset/);
  } finally {
    await server.close();
  }
});

Deno.test("client --task against a timestamp server says it is the wrong kind of server", async () => {
  const server = await startServer([...SERVE]);
  try {
    const { code, stdout, stderr } = await runSocklab(
      clientArgs(server.port, "--task", "--op", "eval", "--text", "1+2"),
      undefined,
      LIMIT,
    );
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(stderr, /is a timestamp server .*not a task server/);
  } finally {
    server.kill("SIGINT");
    await server.finished;
  }
});

Deno.test("client against a task server says it may be the wrong kind of server", async () => {
  const server = await startServer([...TASK_SERVE]);
  try {
    const { code, stderr } = await runSocklab(
      clientArgs(server.port, "-n", "2", "--timeout", "1s"),
      undefined,
      LIMIT,
    );
    assert.equal(code, 1);
    assert.match(stderr, /no greeting from .* within 1\.0s: not a timestamp server/);
  } finally {
    server.kill("SIGINT");
    await server.finished;
  }
});

/** The largest `Threads:` of /proc/<pid>/status seen while `run` goes on (0 without /proc). */
async function peakThreads(run: (onStart: (pid: number) => void) => Promise<unknown>) {
  let peak = 0;
  let pid: number | undefined;
  let done = false;
  const sampling = (async () => {
    while (!done) {
      if (pid !== undefined) {
        try {
          const status = await Deno.readTextFile(`/proc/${pid}/status`);
          peak = Math.max(peak, Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0));
        } catch { /* not started yet, exited, or no /proc */ }
      }
      await sleep(25);
    }
  })();
  try {
    await run((started) => pid = started);
  } finally {
    done = true;
    await sampling;
  }
  return peak;
}

Deno.test("client -w 200 runs on at most CPU-count Web Workers and every event arrives", async () => {
  const server = await startServer([...SERVE, "--max-connections", "200"]);
  let result!: { code: number; stdout: string; stderr: string };
  const threads = await peakThreads(async (onStart) => {
    result = await runSocklab(
      clientArgs(server.port, "-w", "200", "-n", "5", "-d", "d", "-p", "0.1"),
      undefined,
      { ...LIMIT, onStart },
    );
  });
  assert.equal(result.code, 0, result.stderr);
  const onThreads = numberAfter(result.stdout, "Starting 200 workers on ");
  assert.ok(onThreads >= 1 && onThreads <= navigator.hardwareConcurrency, result.stdout);
  // One Web Worker per logical worker would mean over 200 threads.
  if (threads > 0) assert.ok(threads < 100, `${threads} threads`);
  assert.equal(numberAfter(result.stdout, "Events sent: "), 1000);
  // How late they went out is the machine's speed, not a property to test: BENCHMARKS.md
  // section 5 measures it. That it is reported is.
  assert.ok(numberAfter(result.stdout, "after their due time (p99 ") >= 0, result.stdout);
  const { stdout } = await server.finished;
  assert.equal(numberAfter(stdout, "Connections: "), 200);
  assert.equal(numberAfter(stdout, "Messages: "), 1000);
});

Deno.test("client on Ctrl-C prints the summary of the events sent so far and exits 130", async () => {
  const server = await startServer([...SERVE]);
  const child = new Deno.Command(Deno.execPath(), {
    args: socklabArgs(clientArgs(server.port, "-w", "2", "-n", "200", "-p", "0.05", "-v")),
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(LIMIT.limitMs),
  }).spawn();
  const stdout: string[] = [];
  let sentFour!: () => void;
  const fourSent = new Promise<void>((resolve) => sentFour = resolve);
  const reading = readLines(child.stdout, (line) => {
    stdout.push(line);
    if (stdout.filter((l) => l.includes("Sending: ")).length === 4) sentFour();
  });
  const stderr = new Response(child.stderr).text();
  await fourSent;
  child.kill("SIGINT");
  const status = await child.status;
  await reading;
  server.kill("SIGINT");
  await server.finished;
  const text = stdout.join("\n");
  assert.equal(status.code, 130, await stderr);
  const sent = numberAfter(text, "Events sent: ");
  assert.ok(sent >= 4 && sent < 400, text);
  assert.match(text, /Events sent: \d+ of 400 .*interrupted/);
  assert.match(await stderr, /\[Worker 1\] Interrupted after \d+ of 200 events/);
});

Deno.test("client summary against an iterative server names phases that add up to the elapsed time", async () => {
  const server = await startServer([...SERVE, "--mode", "iter"]);
  const { code, stdout, stderr } = await runSocklab(
    clientArgs(server.port, "-w", "3", "-n", "3", "-p", "0.05"),
    undefined,
    LIMIT,
  );
  server.kill("SIGINT");
  await server.finished;
  assert.equal(code, 0, stderr);
  const match = /^Elapsed: ([\d.]+) s = (.*)$/m.exec(stdout);
  assert.ok(match, stdout);
  const phases = [...match[2].matchAll(/([a-z ]+) ([\d.]+) s/g)];
  assert.deepEqual(phases.map((p) => p[1].trim().replace(/^\+ /, "")), [
    "starting",
    "running",
    "ending",
  ]);
  const sum = phases.reduce((total, p) => total + Number(p[2]), 0);
  assert.ok(Math.abs(sum - Number(match[1])) <= 0.002, stdout);
});

Deno.test("client with one worker says '1 worker'", async () => {
  const server = await startServer([...SERVE, "--max-connections", "1"]);
  const { code, stdout } = await runSocklab(
    clientArgs(server.port, "-w", "1", "-n", "2", "-p", "0.01"),
    undefined,
    LIMIT,
  );
  assert.equal(code, 0);
  assert.match(stdout, /^Starting 1 worker on 1 thread connecting to /);
  assert.match(stdout, /\(1 worker x 2 events\)/);
  assert.doesNotMatch(stdout, /\b1 (workers|threads)\b/);
  await server.finished;
});

Deno.test("client -p that looks like a port warns that the port is -P", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const { code, stderr } = await runSocklab(
    clientArgs(port, "-n", "1", "-p", "20173"),
    undefined,
    LIMIT,
  );
  assert.equal(code, 1);
  assert.match(
    stderr,
    /Warning: -p 20173 is the inter-event parameter \(seconds\); the port is -P/,
  );
});

const USAGE_ERRORS: [string, string, RegExp][] = [
  ["-n", "0", /^socklab: Invalid --intervals "0": expected a positive integer\n$/],
  ["--timeout", "0", /^socklab: Invalid --timeout "0": expected a duration above 0/],
];

for (const [flag, value, message] of USAGE_ERRORS) {
  Deno.test(`client ${flag} ${value} is a usage error`, async () => {
    const { code, stdout, stderr } = await runSocklab(clientArgs(1, flag, value));
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.match(stderr, message);
  });
}

Deno.test("socklab help serve shows serve's help", async () => {
  const { code, stdout } = await runSocklab(["help", "serve"]);
  assert.equal(code, 0);
  assert.match(stdout, /^socklab serve: /);
});
