/**
 * The fault-injection suite: resets mid-message, half-close, clients killed abruptly, 2 MB
 * without newline, invalid UTF-8 and NUL bytes, one byte per 100 ms, 10,000 connect-and-close,
 * a worker that throws, a child killed with SIGKILL, and descriptor exhaustion. Each scenario
 * fails the test if the server crashes, stops answering, leaks the connection or loses a
 * counted message; after the whole suite one long-running server per mode still answers and
 * its summary is consistent (opened = closed, none open at shutdown).
 *
 * @module
 */

import assert from "node:assert/strict";
import net from "node:net";
import { LineReader } from "../../lib/protocols/line_reader.ts";
import {
  ask,
  numberAfter,
  readToEnd,
  type RunningServer,
  SERVE,
  socklabArgs,
  startServer,
  TASK_SERVE,
} from "../support.ts";
import { acceptQueue, tcpEnds } from "../support/tcp_sockets.ts";
import { sleep, waitFor, within } from "../support/wait_for.ts";

const encoder = new TextEncoder();
const HOST = "127.0.0.1";

async function alive(server: RunningServer): Promise<void> {
  assert.equal(await ask(server.port, "3|abc"), "cba", "the server no longer answers");
}

/** Connects with node:net, sends `bytes`, then resets the connection (SO_LINGER 0). */
function resetAfter(port: number, bytes: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, HOST, () => {
      socket.write(bytes, () =>
        setTimeout(() => {
          socket.resetAndDestroy();
          resolve();
        }, 50));
    });
    socket.on("error", reject);
  });
}

/** Asks `request` until the server answers `expected`, as it does once it has recovered. */
async function untilAnswered(server: RunningServer, request: string, expected: string) {
  await waitFor(async () => await ask(server.port, request).catch(() => null) === expected, {
    what: `the answer ${JSON.stringify(expected)} to ${JSON.stringify(request)}`,
    intervalMs: 100,
  });
}

async function stopAndSummarize(server: RunningServer): Promise<string> {
  server.kill("SIGINT");
  const { code, stdout, stderr } = await server.finished;
  assert.equal(code, 0, stderr);
  const opened = numberAfter(stdout, "Connections: ");
  const closed = numberAfter(stdout, `Connections: ${opened} opened, `);
  assert.equal(closed, opened, "every connection opened is accounted for");
  assert.match(stdout, / 0 open at shutdown/);
  assert.doesNotMatch(stdout, /\d+ lost/);
  return stdout;
}

const MODES: [string, string[]][] = [
  ["iter", ["--mode", "iter"]],
  ["async", ["--mode", "async"]],
  ["thr", ["--mode", "thr", "--workers", "2"]],
  ["proc", ["--mode", "proc", "--workers", "2"]],
];

for (const [name, modeArgs] of MODES) {
  Deno.test({
    name: `task-serve --mode ${name} survives the fault suite and stays consistent`,
    sanitizeOps: true,
    sanitizeResources: true,
  }, async (t) => {
    const server = await startServer([
      ...TASK_SERVE,
      "--framing",
      "line",
      "--idle-timeout",
      "3s",
      ...modeArgs,
    ]);
    let expectedMessages = 0;
    const counted = async (step: () => Promise<number>) => {
      expectedMessages += await step();
      expectedMessages++; // the liveness request after it
      await alive(server);
    };

    await t.step("a reset mid-message", () =>
      counted(async () => {
        await resetAfter(server.port, "3|abc\n3|de");
        return 1;
      }));

    await t.step(
      "a half-close after an unterminated request gets its reply",
      () =>
        counted(async () => {
          const conn = await Deno.connect({ hostname: HOST, port: server.port });
          await conn.write(encoder.encode("3|half"));
          await conn.closeWrite();
          assert.equal(await readToEnd(conn), "flah\n");
          return 1;
        }),
    );

    await t.step("a client killed abruptly", () =>
      counted(async () => {
        const script =
          `const c = await Deno.connect({hostname: "${HOST}", port: ${server.port}});` +
          `await c.write(new TextEncoder().encode("3|one\\n3|par")); console.log(c.localAddr.port); setInterval(() => {}, 1000);`;
        const child = new Deno.Command(Deno.execPath(), {
          args: ["eval", script],
          stdout: "piped",
          stderr: "null",
        }).spawn();
        const reader = child.stdout.getReader();
        const port = Number(new TextDecoder().decode((await reader.read()).value));
        reader.releaseLock();
        // Killed once the reply to its first request waits unread, so its socket is reset.
        await waitFor(() => (tcpEnds(port, server.port).here?.rxQueue ?? 0) > 0, {
          what: "the reply to the killed client's first request",
        });
        child.kill("SIGKILL");
        await child.status;
        await child.stdout.cancel();
        return 1;
      }));

    await t.step(
      "2 MB without a newline gets an error reply and a close",
      () =>
        counted(async () => {
          const conn = await Deno.connect({ hostname: HOST, port: server.port });
          const writing = conn.write(encoder.encode("3|hi\n" + "a".repeat(2 * 1024 * 1024)))
            .catch(() => 0);
          const text = await readToEnd(conn);
          await writing;
          assert.match(text, /^ih\nError: request longer than 65536 bytes\n$/);
          return 1;
        }),
    );

    await t.step("invalid UTF-8 and NUL bytes are answered, not fatal", () =>
      counted(async () => {
        const conn = await Deno.connect({ hostname: HOST, port: server.port });
        await conn.write(new Uint8Array([0x33, 0x7c, 0xff, 0xfe, 0x00, 0x61, 0x0a, 0x00, 0x0a]));
        await conn.closeWrite();
        assert.equal(await readToEnd(conn), "a\u0000\ufffd\ufffd\n\u0000\n");
        return 2;
      }));

    await t.step(
      "one byte per 100 ms is served without holding others up",
      () =>
        counted(async () => {
          const conn = await Deno.connect({ hostname: HOST, port: server.port });
          let sentAll = false;
          const slow = (async () => {
            for (const byte of encoder.encode("3|trickle\n")) {
              await sleep(100);
              await conn.write(new Uint8Array([byte]));
            }
            sentAll = true;
            // Ended, so that the server closes at once rather than after its idle timeout.
            await conn.closeWrite();
            return await readToEnd(conn);
          })();
          if (name !== "iter") {
            await alive(server);
            assert.ok(!sentAll, "a slow client held up another");
          }
          assert.equal(await slow, "elkcirt\n");
          return name === "iter" ? 1 : 2;
        }),
    );

    await t.step("10,000 connect-and-close", () =>
      counted(async () => {
        const total = 10_000;
        let next = 0;
        await Promise.all(Array.from({ length: 50 }, async () => {
          while (next < total) {
            next++;
            const conn = await Deno.connect({ hostname: HOST, port: server.port });
            conn.close();
          }
        }));
        return 0;
      }));

    const stdout = await stopAndSummarize(server);
    assert.equal(numberAfter(stdout, "Messages: "), expectedMessages);
  });
}

for (const [mode, member] of [["thr", "worker"], ["proc", "child"]]) {
  Deno.test({
    name: `a ${member} that throws is replaced and its records are kept (${mode})`,
    sanitizeOps: true,
    sanitizeResources: true,
  }, async () => {
    const child = new Deno.Command(Deno.execPath(), {
      args: socklabArgs([...TASK_SERVE, "--mode", mode, "--workers", "1"]),
      env: { SOCKLAB_FAILPOINTS: "member-crash-after=3" },
      stdout: "piped",
      stderr: "piped",
    });
    const server = await startServer([], child);
    assert.equal(await ask(server.port, "3|one"), "eno");
    // A connection still open when the member dies: its counts so far must survive.
    const open = await Deno.connect({ hostname: HOST, port: server.port });
    await open.write(encoder.encode("3|a\n3|b\n"));
    const replies = new LineReader(open);
    assert.deepEqual([await replies.readLine(), await replies.readLine()], ["a", "b"]);
    // The third connection makes the member throw at once, before its open event or a
    // progress report holding "a" and "b" went out; a replacement serves what follows.
    await ask(server.port, "3|three").catch(() => null);
    await server.waitFor(new RegExp(`${member} 1 died .*starting a replacement`));
    await untilAnswered(server, "3|four", "ruof");
    open.close();
    server.kill("SIGINT");
    const { code, stdout, stderr } = await server.finished;
    assert.equal(code, 0, stderr);
    assert.match(stderr, /failpoint member-crash-after=3/);
    assert.match(stdout, /\d+ lost/);
    assert.ok(numberAfter(stdout, "Messages: ") >= 4, "counts from before the crash are kept");
    const opened = numberAfter(stdout, "Connections: ");
    assert.ok(opened >= 4, "the connection the member died on is counted");
    assert.equal(numberAfter(stdout, `Connections: ${opened} opened, `), opened);
  });
}

Deno.test({
  name: "a child killed with SIGKILL is reported and replaced",
  sanitizeOps: true,
  sanitizeResources: true,
}, async () => {
  const server = await startServer([...TASK_SERVE, "--mode", "proc", "--workers", "2"]);
  await alive(server);
  const pids = server.lines(/^socklab task-serve: child \d \(pid (\d+)\) listening$/);
  assert.equal(pids.length, 2);
  Deno.kill(Number(pids[0]), "SIGKILL");
  await server.waitFor(/child \d \(pid \d+\) listening$/, 3);
  for (let i = 0; i < 10; i++) await alive(server);
  server.kill("SIGINT");
  const { code, stderr } = await server.finished;
  assert.equal(code, 0);
  assert.match(stderr, /child \d died \(killed by SIGKILL\).*starting a replacement/);
});

// iter holds one connection at a time, so it never runs out of descriptors.
for (const [name, modeArgs] of MODES.filter(([name]) => name !== "iter")) {
  Deno.test({
    name: `task-serve --mode ${name}: running out of file descriptors backs off and keeps serving`,
    sanitizeOps: true,
    sanitizeResources: true,
  }, async () => {
    // Few enough descriptors that 200 connections exhaust them, in the server and its members.
    const child = new Deno.Command("prlimit", {
      args: ["--nofile=80:80", Deno.execPath(), ...socklabArgs([...TASK_SERVE, ...modeArgs])],
      stdout: "piped",
      stderr: "piped",
    });
    const server = await startServer([], child);
    const conns = await Promise.all(
      Array.from({ length: 200 }, () => Deno.connect({ hostname: HOST, port: server.port })),
    );
    await server.waitFor(/warning: Accept failed .*retrying/);
    for (const conn of conns) conn.close();
    await untilAnswered(server, "3|abc", "cba");
    server.kill("SIGINT");
    assert.equal((await server.finished).code, 0);
  });
}

Deno.test({
  name: "a second SIGINT forces a draining server to quit",
  sanitizeOps: true,
  sanitizeResources: true,
}, async () => {
  const server = await startServer([...SERVE, "--drain", "30s", "--verbose"]);
  const idle = await Deno.connect({ hostname: HOST, port: server.port });
  await server.waitFor(/^\[x\] New connection from /);
  server.kill("SIGINT");
  await server.waitFor(/stopping; draining open connections/);
  const started = performance.now();
  server.kill("SIGINT");
  const { code, stderr } = await server.finished;
  idle.close();
  assert.equal(code, 130);
  // A server that waited for the idle connection would take the whole 30 s drain; half of it
  // leaves a busy machine 15 s to quit.
  const waited = performance.now() - started;
  assert.ok(waited < 15_000, `quit ${waited} ms after the second SIGINT`);
  // The fallback for a mode that does not close its connections when told also exits 130.
  assert.doesNotMatch(stderr, /forced to quit/);
  assert.match(stderr, /closing the open connections and quitting/);
});

Deno.test({
  name: "--max-conns with --over-limit refuse answers the extra connection and goes on",
  sanitizeOps: true,
  sanitizeResources: true,
}, async () => {
  const server = await startServer([
    ...TASK_SERVE,
    "--max-conns",
    "2",
    "--over-limit",
    "refuse",
    "--verbose",
  ]);
  const held = await Promise.all(
    [0, 1].map(() => Deno.connect({ hostname: HOST, port: server.port })),
  );
  await server.waitFor(/^\[x\] New connection from /, 2);
  const extra = await Deno.connect({ hostname: HOST, port: server.port });
  assert.equal(
    await readToEnd(extra),
    "Error: server busy: too many connections, try again later\n",
  );
  for (const conn of held) conn.close();
  await server.waitFor(/^\[x\] Connection closed for /, 3);
  await alive(server);
  server.kill("SIGINT");
  const { stdout } = await server.finished;
  assert.match(stdout, /1 refused/);
});

Deno.test({
  name: "--max-conns with --over-limit wait serves the extra connection once one closes",
  sanitizeOps: true,
  sanitizeResources: true,
}, async () => {
  const server = await startServer([...TASK_SERVE, "--max-conns", "1"]);
  const held = await Deno.connect({ hostname: HOST, port: server.port });
  const heldReplies = new LineReader(held);
  const roundTrip = async (request: string) => {
    const started = performance.now();
    await held.write(encoder.encode(`3|${request}\n`));
    assert.equal(await heldReplies.readLine(), [...request].reverse().join(""));
    return performance.now() - started;
  };
  await roundTrip("first");
  const second = await Deno.connect({ hostname: HOST, port: server.port });
  await second.write(encoder.encode("3|second\n"));
  let answered = false;
  const waiting = new LineReader(second).readLine().finally(() => answered = true);
  // A server that served the second connection would answer it within about a round trip of
  // its request, which went out before these: give it the held connection's round trips
  // after it, three times over, so that a slow machine waits longer instead of passing.
  let slowest = 0;
  for (const request of ["one", "two", "three"]) {
    slowest = Math.max(slowest, await roundTrip(request));
  }
  await sleep(3 * slowest);
  assert.ok(!answered, "the second connection was served while the first was open");
  held.close();
  assert.equal(await waiting, "dnoces");
  second.close();
  server.kill("SIGINT");
  await server.finished;
});

for (const modeArgs of [["--mode", "async"], ["--mode", "thr", "--workers", "1"]]) {
  Deno.test({
    name: `a connection taken but not yet served when the server stops is counted (${
      modeArgs.join(" ")
    } --io node)`,
    sanitizeOps: true,
    sanitizeResources: true,
  }, async () => {
    // With the one slot held, the second connection waits for it; node:net has taken it from
    // the kernel meanwhile (the accept queue is empty), so the stop closes it unserved.
    const server = await startServer([
      ...TASK_SERVE,
      ...modeArgs,
      "--io",
      "node",
      "--max-conns",
      "1",
      "--drain",
      "0s",
    ]);
    const held = await Deno.connect({ hostname: HOST, port: server.port });
    await held.write(encoder.encode("3|abc\n"));
    assert.equal(await new LineReader(held).readLine(), "cba");
    const waiting = await Deno.connect({ hostname: HOST, port: server.port });
    await waitFor(
      () =>
        // Established, not half-open: only then has the kernel queued it (and node:net taken it).
        tcpEnds(waiting.localAddr.port, server.port).there?.state === "ESTABLISHED" &&
        acceptQueue(server.port) === 0,
      { what: "node:net to take the waiting connection from the kernel" },
    );
    server.kill("SIGINT");
    const { code, stdout, stderr } = await server.finished;
    assert.equal(code, 0, stderr);
    assert.equal(await readToEnd(waiting).catch(() => ""), "", "the waiting one was not served");
    held.close();
    assert.match(stdout, /Connections: 1 opened, .*, 1 closed unserved as accepting stopped/);
  });
}

for (const [name, modeArgs] of MODES) {
  Deno.test({
    name: `--idle-timeout closes a silent client and records it as idle (${name})`,
    sanitizeOps: true,
    sanitizeResources: true,
  }, async () => {
    const server = await startServer([...SERVE, "--idle-timeout", "300ms", ...modeArgs]);
    const started = performance.now();
    const silent = await Deno.connect({ hostname: HOST, port: server.port });
    // The bound only turns a server that never closes into a failure instead of a hang.
    const text = await within(readToEnd(silent), {
      what: "the server to close the silent client",
      timeoutMs: 10_000,
    });
    assert.equal(text, "Hello! You are connected to the server.\n");
    const waited = performance.now() - started;
    assert.ok(waited >= 300, `closed after ${waited} ms, before the idle timeout`);
    server.kill("SIGINT");
    const { stdout } = await server.finished;
    assert.match(stdout, /1 closed \(1 idle\)/);
  });
}
