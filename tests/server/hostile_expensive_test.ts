/**
 * Hostile peers, item 4 of issue 28: an expensive peer. `2|9**9999` costs about 79 µs of CPU
 * for 10 bytes; connections pipelining it held every other client of `async` for the whole
 * of their bytes (8.7 s for 1 MB), starved pool members' heartbeats until the parent killed
 * them, and, waiting their turn with a line half read, were cut as `request-timeout` though
 * they had sent everything. Here four connections pipeline 256 KiB each for 3.5 s (more than
 * the 3 s a member may be silent) under `--request-timeout 1s`: a well-behaved client must be
 * answered promptly throughout, no member may die, and no attacker may be cut.
 *
 * @module
 */

import assert from "node:assert/strict";
import { TASK_SERVE } from "../support.ts";
import { askWithin } from "../support/attacks.ts";
import { stopWithin, tail, withServer } from "../support/server_guard.ts";
import { inEachVariant, VARIANTS } from "../support/variants.ts";

const HOST = "127.0.0.1";
const ATTACKERS = 4;
const ATTACK_BYTES = 256 * 1024;
const ATTACK_MS = 3500;
/** Far above the few milliseconds measured, far below the seconds an attacker held others. */
const PROMPT_MS = 1500;
const EXPENSIVE = new TextEncoder().encode("2|9**9999\n");

/** Connects and pipelines `bytes` of the expensive request; `replied` settles at the first reply. */
async function attack(port: number, bytes: number) {
  const conn = await Deno.connect({ hostname: HOST, port });
  const payload = new Uint8Array(bytes - bytes % EXPENSIVE.length);
  for (let at = 0; at < payload.length; at += EXPENSIVE.length) payload.set(EXPENSIVE, at);
  conn.write(payload).catch(() => {}); // the server holds it back; closed at the end
  return { conn, replied: conn.read(new Uint8Array(1024)).catch(() => null) };
}

Deno.test("task-serve: peers pipelining expensive requests do not hold the others", async (t) => {
  await inEachVariant(
    t,
    VARIANTS.filter((variant) =>
      ["async", "thr pool of 2", "proc pool of 2"].includes(variant.name)
    ),
    (variant) =>
      withServer(
        [...TASK_SERVE, "--request-timeout", "1s", ...variant.args],
        async (server) => {
          const started = performance.now();
          const attackers = await Promise.all(
            Array.from({ length: ATTACKERS }, () => attack(server.port, ATTACK_BYTES)),
          );
          // The server is at work on them once one is answered.
          await Promise.race(attackers.map(({ replied }) => replied));
          const waits: number[] = [];
          do {
            const { reply, ms } = await askWithin(server.port, "3|abc", 10_000);
            assert.equal(reply, "cba");
            waits.push(Math.round(ms));
          } while (performance.now() - started < ATTACK_MS);
          attackers.forEach(({ conn }) => conn.close());
          assert.ok(Math.max(...waits) < PROMPT_MS, `a client waited ${waits.join(", ")} ms`);
          const { code, stdout, stderr } = await stopWithin(server, "SIGINT", 10_000);
          assert.equal(code, 0, `exit code ${code}; stderr:\n${tail(stderr)}`);
          assert.doesNotMatch(stderr, /died/);
          assert.doesNotMatch(stdout, /request-timeout/);
        },
      ),
  );
});
