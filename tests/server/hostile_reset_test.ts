/**
 * Hostile peers, item 2 of issue 9: connections reset while they wait in the accept queue
 * must cost the server nothing but their count. Each variant's process tree is stopped, 500
 * connections complete their handshake and are reset (SO_LINGER 0), `ss` confirms they sit
 * in the accept queue, and after the tree continues a normal request must be answered within
 * 1 s more than a fresh connection costs that variant.
 *
 * @module
 */

import assert from "node:assert/strict";
import { TASK_SERVE } from "../support.ts";
import { askWithin, resetBeforeAccept } from "../support/attacks.ts";
import { stopWithin, withServer } from "../support/server_guard.ts";
import { inEachVariant, VARIANTS } from "../support/variants.ts";

const RESETS = 500;
const BOUND_MS = 1000;

Deno.test("500 connections reset before accept: a normal request is answered within 1 s", async (t) => {
  await inEachVariant(
    t,
    VARIANTS,
    (variant) =>
      withServer([...TASK_SERVE, ...variant.args], async (server) => {
        // What a fresh connection costs this variant (a new child process for proc --workers 0).
        const fresh = await askWithin(server.port, "3|abc", 10_000);
        assert.equal(fresh.reply, "cba");
        const proof = await resetBeforeAccept(server.pid, server.port, RESETS);
        assert.ok(proof.queued >= RESETS, `only ${proof.queued} connections were queued`);
        assert.equal(proof.established, 0, "some connections were not reset");
        const bound = BOUND_MS + fresh.ms;
        const after = await askWithin(server.port, "3|abc", bound + 2000);
        assert.equal(after.reply, "cba", `no reply within ${Math.round(after.ms)} ms`);
        assert.ok(
          after.ms < bound,
          `answered after ${Math.round(after.ms)} ms (bound ${bound} ms)`,
        );
        const { code } = await stopWithin(server, "SIGINT", 10_000);
        assert.equal(code, 0);
      }),
  );
});
