/**
 * The pool fallback for platforms where `reusePort` does not spread connections (macOS,
 * Windows), forced here with `SOCKLAB_SHARED_PORT=proxy`: `serve` and `task-serve` in `thr`
 * and `proc` pools (and `async`, which then keeps one accept queue) against real clients. The
 * server's counts must equal what the clients sent, every pool member must have served, and a
 * member that dies must be replaced behind the relay.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  ask,
  clientArgs,
  readToEnd,
  runSocklab,
  SERVE,
  socklabArgs,
  startServer,
  TASK_SERVE,
} from "../support.ts";

const PROXY = { SOCKLAB_SHARED_PORT: "proxy" };
const RELAYING = /relaying connections to the pool, whose members listen on loopback ports/;

/** A server started as `socklab <args>` with the fallback forced. */
function proxied(args: string[]) {
  return startServer(
    [],
    new Deno.Command(Deno.execPath(), {
      args: socklabArgs(args),
      env: PROXY,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }),
  );
}

interface Summary {
  opened: number;
  closed: number;
  messages: number;
  perWorker: Record<string, { connections: number; messages: number }>;
}

const VARIANTS = [["thr", "2"], ["proc", "2"], ["async"]] as const;

for (const [mode, workers] of VARIANTS) {
  const modeArgs = ["--mode", mode, ...(workers ? ["--workers", workers] : [])];

  Deno.test(`serve ${modeArgs.join(" ")} behind the relay counts what the clients sent`, async () => {
    const connections = 6;
    const server = await proxied([
      ...SERVE,
      ...modeArgs,
      ...["--max-connections", String(connections), "--duration", "60s", "--json"],
    ]);
    const client = await runSocklab(
      clientArgs(server.port, "-w", String(connections), "-n", "5", "-p", "0.01"),
      undefined,
      { limitMs: 60_000 },
    );
    assert.equal(client.code, 0, client.stderr);
    const { code, stdout, stderr } = await server.finished;
    assert.equal(code, 0, stderr);
    const summary: Summary = JSON.parse(stdout);
    assert.equal(summary.opened, connections);
    assert.equal(summary.closed, connections);
    assert.equal(summary.messages, connections * 5);
    if (workers) {
      assert.match(stderr, RELAYING);
      const served = Object.values(summary.perWorker).filter((w) => w.connections > 0);
      assert.equal(served.length, Number(workers), `every member served: ${stdout}`);
    }
  });

  Deno.test(`task-serve ${modeArgs.join(" ")} behind the relay answers and counts each request`, async () => {
    const requests = 8;
    const server = await proxied([
      ...TASK_SERVE,
      ...modeArgs,
      ...["--max-connections", String(requests), "--duration", "60s", "--json"],
    ]);
    for (let i = 0; i < requests; i++) assert.equal(await ask(server.port, `3|abc${i}`), `${i}cba`);
    const { code, stdout, stderr } = await server.finished;
    assert.equal(code, 0, stderr);
    const summary: Summary = JSON.parse(stdout);
    assert.equal(summary.opened, requests);
    assert.equal(summary.messages, requests);
    if (workers) {
      assert.match(stderr, RELAYING);
      const served = Object.values(summary.perWorker).filter((w) => w.connections > 0);
      assert.equal(served.length, Number(workers), `every member served: ${stdout}`);
    }
  });
}

Deno.test({
  name: "a proc child killed behind the relay is replaced and the relay goes to the new one",
  sanitizeOps: true,
  sanitizeResources: true,
}, async () => {
  const server = await proxied([...TASK_SERVE, "--mode", "proc", "--workers", "2"]);
  const pids = server.lines(/^socklab task-serve: child \d \(pid (\d+)\) listening$/);
  assert.equal(pids.length, 2);
  Deno.kill(Number(pids[0]), "SIGKILL");
  await server.waitFor(/child \d \(pid \d+\) listening$/, 3);
  for (let i = 0; i < 10; i++) assert.equal(await ask(server.port, `3|x${i}`), `${i}x`);
  server.kill("SIGINT");
  const { code, stdout, stderr } = await server.finished;
  assert.equal(code, 0, stderr);
  assert.match(stderr, RELAYING);
  assert.match(stderr, /child \d died \(killed by SIGKILL\).*starting a replacement/);
  assert.doesNotMatch(stderr, /Could not relay|No pool member/);
  assert.equal(Number(/Messages: (\d+)/.exec(stdout)?.[1]), 10);
});

Deno.test({
  name: "a member's last reply before it closes on an oversized request reaches the client",
  sanitizeOps: true,
  sanitizeResources: true,
}, async () => {
  // thr runs on node:net, whose socket, once a write fails, loses what it had received.
  const server = await proxied([...TASK_SERVE, "--mode", "thr", "--workers", "2"]);
  for (let i = 0; i < 3; i++) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    const writing = conn.write(new TextEncoder().encode("3|hi\n" + "a".repeat(2 * 2 ** 20)))
      .catch(() => 0);
    assert.equal(await readToEnd(conn), "ih\nError: request longer than 65536 bytes\n");
    await writing;
  }
  server.kill("SIGINT");
  const { code, stderr } = await server.finished;
  assert.equal(code, 0, stderr);
});
