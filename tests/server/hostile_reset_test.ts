/**
 * Hostile peers, item 2 of issue 9: connections reset while they wait in the accept queue
 * must cost the server nothing but their count; and connections that half-close and are reset
 * while the server answers and closes them must leave no descriptor behind. Each variant's
 * process tree is stopped, 500 connections complete their handshake and are reset (SO_LINGER 0),
 * `ss` confirms they sit in the accept queue, and after the tree continues a normal request
 * must be answered without a pause per reset (see {@link BOUND_MS}).
 *
 * @module
 */

import assert from "node:assert/strict";
import { TASK_SERVE } from "../support.ts";
import { askWithin, halfCloseThenReset, resetBeforeAccept } from "../support/attacks.ts";
import { acceptQueue } from "../support/tcp_sockets.ts";
import { waitFor } from "../support/wait_for.ts";
import { stopWithin, withServer } from "../support/server_guard.ts";
import { treeOpenFiles } from "../support/process_tree.ts";
import { inEachVariant, VARIANTS } from "../support/variants.ts";

const RESETS = 500;
/**
 * How much later than a fresh connection the request after the resets may be answered. The
 * fault this guards against, a pause after each failed accept as for running out of
 * descriptors (10 ms doubling to 200 ms), would take 5 to 100 s over 500 resets; going through
 * them took up to 1.05 s in `iter` with the suite running beside it on two cores, so 5 s leaves a
 * busy machine 10 ms a reset.
 */
const BOUND_MS = 5000;

Deno.test("500 connections reset before accept: a normal request is answered without a pause per reset", async (t) => {
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
        const after = await askWithin(server.port, "3|abc", bound + 5000);
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

const HALF_CLOSERS = 600;

Deno.test("connections that half-close and are reset leave no descriptor open", async (t) => {
  await inEachVariant(
    t,
    // A member per connection would make this a test of 600 process or worker starts.
    VARIANTS.filter((variant) => !variant.perConnection),
    (variant) =>
      withServer([...TASK_SERVE, ...variant.args], async (server) => {
        assert.equal((await askWithin(server.port, "3|abc", 10_000)).reply, "cba");
        const before = treeOpenFiles(server.pid);
        await halfCloseThenReset(server.port, HALF_CLOSERS);
        // Served means accepted as well as closed: a connection still in the kernel's accept
        // queue holds no descriptor of the server's yet, and a stop that came then would reset
        // it uncounted (seen: 598 of 601 counted, when the stop came as the descriptors fell
        // back while Deno's node:net had not yet taken the last connections from the queue).
        let after = before;
        let queued = 0;
        await waitFor(() => {
          after = treeOpenFiles(server.pid);
          queued = acceptQueue(server.port);
          return after <= before && queued === 0;
        }, {
          what: () =>
            `every connection accepted and closed (${
              after - before
            } more files open than before the attack, ${queued} still queued)`,
          timeoutMs: 5000,
          intervalMs: 100,
        });
        const { code, stdout } = await stopWithin(server, "SIGINT", 10_000);
        assert.equal(code, 0);
        // Every connection was closed; one reset while still in the kernel's queue is counted
        // apart (a `deno` listener sees the reset at accept).
        const totals =
          /^Connections: (\d+) opened, (\d+) closed.*, 0 open at shutdown(?:, (\d+) reset before accept)?$/m
            .exec(stdout);
        assert.ok(totals, stdout.slice(-500));
        const [opened, closed, early] = totals.slice(1).map((n) => Number(n ?? 0));
        assert.equal(closed, opened);
        assert.equal(opened + early, HALF_CLOSERS + 1);
      }),
  );
});
