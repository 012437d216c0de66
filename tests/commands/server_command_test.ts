/**
 * Tests of what `serve` prints and writes around a run: `--csv` streamed while the server runs
 * and checked before it starts, `--html` checked before it listens, `--json` with `--verbose`,
 * singular counts, SIGHUP, and the whole report when a second signal makes it quit at once.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  clientArgs,
  numberAfter,
  runSocklab,
  SERVE,
  socklabArgs,
  startServer,
} from "../support.ts";
import { waitFor } from "../support/wait_for.ts";

const HOST = "127.0.0.1";

async function csvRows(path: string): Promise<string[][]> {
  const text = await Deno.readTextFile(path).catch(() => "");
  return text.trim().split("\n").filter((line) => line !== "").map((line) => line.split(","));
}

/** Waits (up to 10 s) until the file at `path` holds at least `count` data rows. */
function waitForDataRows(path: string, count: number): Promise<string[][]> {
  return waitFor(async () => {
    const rows = await csvRows(path);
    return rows.filter((row) => row[0] === "data").length >= count && rows;
  }, { what: `${count} data rows in ${path}`, intervalMs: 50 });
}

/** Runs `serve <args> --max-connections 1` for one timestamp client; resolves when it ends. */
async function serveOneClient(args: string[], ...client: string[]) {
  const server = await startServer([...SERVE, ...args, "--max-connections", "1"]);
  const result = await runSocklab(clientArgs(server.port, ...client));
  assert.equal(result.code, 0, result.stderr);
  return await server.finished;
}

for (const [name, modeArgs] of [["async", []], ["thr pool of 2", ["--mode", "thr", "-w", "2"]]]) {
  Deno.test(`serve ${name} --csv streams every sample while it runs`, async () => {
    const path = await Deno.makeTempFile({ suffix: ".csv" });
    try {
      const server = await startServer([...SERVE, ...modeArgs, "--csv", path]);
      const client = await runSocklab(
        clientArgs(server.port, "-w", "3", "-n", "4", "-d", "d", "-p", "0.02"),
      );
      assert.equal(client.code, 0, client.stderr);
      // Every message is in the file before the server is asked to stop.
      const streamed = await waitForDataRows(path, 12).finally(() => server.kill("SIGINT"));
      const { code, stdout } = await server.finished;
      assert.equal(code, 0);
      const rows = await csvRows(path);
      assert.deepEqual(rows[0], [
        "kind",
        "peer",
        "worker",
        "at_unix_ms",
        "interval_ms",
        "closed_unix_ms",
      ]);
      const data = rows.filter((row) => row[0] === "data");
      assert.deepEqual(data, streamed.filter((row) => row[0] === "data"));
      assert.equal(data.length, numberAfter(stdout, "Messages: "));
      for (const row of rows.slice(1)) assert.match(row[3], /^\d{13}\.\d{3}$/, `at in ${row}`);
      const peers = [...new Set(data.map((row) => row[1]))];
      assert.equal(peers.length, 3);
      for (const peer of peers) {
        const own = data.filter((row) => row[1] === peer);
        assert.equal(own[0][4], "", "a connection's first message has no interval");
        // Each interval is the time since the connection's previous message, in ms (the
        // columns are rounded to the µs each).
        for (let i = 1; i < own.length; i++) {
          const since = Number(own[i][3]) - Number(own[i - 1][3]);
          assert.ok(Math.abs(Number(own[i][4]) - since) <= 0.002, `interval in ${own[i]}`);
        }
      }
      const connections = rows.filter((row) => row[0] === "connection");
      assert.deepEqual(connections.map((row) => row[1]).toSorted(), peers.toSorted());
      assert.equal(connections.filter((row) => row[4] === "").length, 1);
      // A connection closes after its last message; data rows leave the close empty.
      for (const row of connections) {
        const last = Math.max(...data.filter((d) => d[1] === row[1]).map((d) => Number(d[3])));
        assert.ok(Number(row[5]) >= last, `close in ${row}`);
      }
      assert.ok(data.every((row) => row[5] === ""));
    } finally {
      await Deno.remove(path);
    }
  });
}

Deno.test("serve --csv to a path that cannot be written fails before starting, in one line", async () => {
  // --duration ends the run should the server start after all.
  const { code, stdout, stderr } = await runSocklab([
    ...SERVE,
    "--csv",
    "/proc/nope.csv",
    "--duration",
    "2s",
  ]);
  assert.equal(code, 2, "a usage error, as help says");
  assert.equal(stdout, "");
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0], /--csv "\/proc\/nope\.csv"/);
  assert.doesNotMatch(stderr, /listening|\n\s+at /);
});

for (const command of ["serve", "task-serve"]) {
  Deno.test(`${command} --html to a path that cannot be written fails before listening, exit 2`, async () => {
    const { code, stdout, stderr } = await runSocklab(
      [command, "--host", HOST, "--port", "0", "--html", "/proc/nope/x.html", "--duration", "5s"],
      undefined,
      { limitMs: 20_000 },
    );
    assert.equal(code, 2, stderr);
    assert.equal(stdout, "");
    assert.match(stderr, /^socklab: Invalid --html "\/proc\/nope\/x\.html": cannot write there/);
    assert.doesNotMatch(stderr, /listening/);
  });
}

Deno.test("serve --html whose write fails at the end exits 1, the report on stdout", async () => {
  const dir = await Deno.makeTempDir();
  const server = await startServer([...SERVE, "--html", `${dir}/report.html`, "--duration", "1s"]);
  // The path was fine at the start; its folder goes away while the server runs.
  await Deno.remove(dir, { recursive: true });
  const { code, stdout, stderr } = await server.finished;
  assert.equal(code, 1, stderr);
  assert.match(stdout, /^Connections: 0 opened/m);
  assert.match(stderr, /Cannot write --html ".*report\.html"/);
});

Deno.test("serve --csv that fails while running warns, prints the summary and exits 1", async () => {
  // /dev/full opens for writing and fails every write with "no space left on device".
  const { code, stdout, stderr } = await serveOneClient(
    ["--csv", "/dev/full"],
    "-n",
    "3",
    "-p",
    "0.01",
  );
  assert.equal(code, 1, "the samples were lost");
  assert.equal(numberAfter(stdout, "Messages: "), 3);
  assert.match(stdout, /Average data inter-arrival time: /);
  assert.match(stderr, /warning: Writing --csv "\/dev\/full" failed/);
});

Deno.test("serve --json --verbose keeps stdout pure JSON and logs to stderr", async () => {
  const { code, stdout, stderr } = await serveOneClient(["--json", "-v"], "-n", "2", "-p", "0.01");
  assert.equal(code, 0, stderr);
  const summary = JSON.parse(stdout);
  assert.equal(summary.messages, 2);
  assert.equal(stderr.match(/^Sentence "Worker 1, Event \d, Timestamp \d+" received/gm)?.length, 2);
  assert.match(stderr, /^\[x\] New connection from /m);
});

Deno.test("serve says 1 worker and 1 connection, not 1 workers and 1 connections", async () => {
  const { stdout, stderr } = await serveOneClient(["--mode", "thr", "-w", "1"], "-n", "1");
  assert.match(stderr, /listening on .*\(thr, pool of 1 worker, io \w+\)/);
  assert.match(stdout, /^ {2}worker 1: 1 connection, 1 message$/m);
});

for (const mode of ["async", "proc"]) {
  Deno.test(`serve --mode ${mode}: SIGHUP to the process group stops it with the summary`, async () => {
    // setsid makes the server lead a process group, as a login shell's job does; a closed
    // terminal sends SIGHUP to the whole group, proc's children included.
    const server = await startServer(
      [],
      new Deno.Command("setsid", {
        args: [Deno.execPath(), ...socklabArgs([...SERVE, "--mode", mode, "-w", "2", "-v"])],
        stdout: "piped",
        stderr: "piped",
      }),
    );
    const client = await runSocklab(clientArgs(server.port, "-w", "2", "-n", "3", "-p", "0.01"));
    assert.equal(client.code, 0, client.stderr);
    await server.waitFor(/^\[x\] Connection closed for /, 2);
    Deno.kill(-server.pid, "SIGHUP");
    const { code, stdout, stderr } = await server.finished;
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^The server is terminating$/m);
    assert.equal(numberAfter(stdout, "Messages: "), 6);
    assert.match(stdout, /2 closed \(2 client\)/);
    assert.doesNotMatch(stderr, /died/);
  });
}

for (
  const [name, modeArgs] of [
    ["async", []],
    ["thr pool of 2", ["--mode", "thr", "-w", "2"]],
    ["proc pool of 2", ["--mode", "proc", "-w", "2"]],
    ["proc, one child per connection", ["--mode", "proc", "-w", "0"]],
  ]
) {
  Deno.test(`serve ${name}: a second signal quits at once, keeping what open connections counted`, async () => {
    const server = await startServer([...SERVE, ...modeArgs, "--drain", "30s", "-v"]);
    const client = await runSocklab(clientArgs(server.port, "-w", "2", "-n", "3", "-p", "0.01"));
    assert.equal(client.code, 0, client.stderr);
    // Accepted (it has its greeting), three messages received, and still open when the
    // server is told to quit at once.
    const open = await Deno.connect({ hostname: HOST, port: server.port });
    await open.read(new Uint8Array(100));
    await server.waitFor(/^\[x\] Connection closed for /, 2);
    await open.write(new TextEncoder().encode("a\nb\nc\n"));
    await server.waitFor(/^Sentence "[abc]" received/, 3);
    server.kill("SIGINT");
    await server.waitFor(/stopping; draining/);
    const quitAt = performance.now();
    server.kill("SIGTERM");
    const { code, stdout, stderr } = await server.finished;
    assert.ok(performance.now() - quitAt < 10_000, "at once, not after the 30 s drain");
    open.close();
    assert.equal(code, 130, stderr);
    assert.doesNotMatch(stdout, /Incomplete report/);
    assert.equal(numberAfter(stdout, "Messages: "), 9);
    assert.match(stdout, /Connections: 3 opened, 3 closed \(.*1 shutdown.*\), 1 open at shutdown/);
    assert.match(stdout, /Average data inter-arrival time: \d/);
  });
}
