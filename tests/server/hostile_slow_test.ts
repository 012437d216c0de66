/**
 * Hostile peers, item 6 of issue 9: slow clients must not hold a server. A client that
 * starts a request and trickles a byte every 200 ms, never finishing the line, is cut off at
 * `--request-timeout` (trickled bytes do not extend it), so a normal client queued behind it
 * (`iter`, or any variant with its one `--max-conns` slot taken) is served soon after. A
 * client that is merely silent between requests is not cut off by it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { TASK_SERVE } from "../support.ts";
import { askWithin, converse, readUntilClosed, trickle } from "../support/attacks.ts";
import { stopWithin, withServer } from "../support/server_guard.ts";
import { inEachVariant, VARIANTS } from "../support/variants.ts";
import { acceptQueue, tcpEnds } from "../support/tcp_sockets.ts";
import { waitFor } from "../support/wait_for.ts";

const HOST = "127.0.0.1";
const REQUEST_TIMEOUT_MS = 1000;
/** Room beyond the timeout for a noisy machine (and a new child process per connection). */
const MARGIN_MS = 2000;
const TRICKLE_INTERVAL_MS = 200;
/** Long enough to outlast the timeout and its margin by far. */
const TRICKLE = new TextEncoder().encode("3|" + "x".repeat(30));

Deno.test("task-serve --request-timeout: a trickling client is cut off and does not hold others", async (t) => {
  const args = ["--request-timeout", `${REQUEST_TIMEOUT_MS}ms`, "--max-conns", "1"];
  await inEachVariant(
    t,
    VARIANTS,
    (variant, check) =>
      withServer([...TASK_SERVE, ...args, ...variant.args], async (server) => {
        await check("a normal client queued behind a trickler is served", async () => {
          const trickler = await Deno.connect({ hostname: HOST, port: server.port });
          const started = performance.now();
          const cut = readUntilClosed(trickler, TRICKLE.length * TRICKLE_INTERVAL_MS)
            .then(({ closed }) => ({ closed, ms: performance.now() - started }));
          const trickling = trickle(trickler, TRICKLE, TRICKLE_INTERVAL_MS);
          // The normal client comes once the server has accepted the trickler (its end is
          // known to the kernel and no longer queued), so it queues behind it.
          await waitFor(
            () =>
              tcpEnds(trickler.localAddr.port, server.port).there !== undefined &&
              acceptQueue(server.port) === 0,
            { what: "the server to accept the trickler" },
          );
          const bound = REQUEST_TIMEOUT_MS + MARGIN_MS;
          const normal = await askWithin(server.port, "3|abc", bound + 1000);
          const { closed, ms } = await cut;
          await trickling;
          assert.equal(normal.reply, "cba", `no reply within ${Math.round(normal.ms)} ms`);
          assert.ok(normal.ms < bound, `served after ${Math.round(normal.ms)} ms`);
          assert.ok(closed, `the trickler was not cut off in ${Math.round(ms)} ms`);
          assert.ok(ms < bound, `the trickler was cut off after ${Math.round(ms)} ms`);
        });

        await check("a client silent between requests is not cut off", async () => {
          const script = ["3|one\n", REQUEST_TIMEOUT_MS * 1.5, "3|two\n"];
          assert.deepEqual(await converse(server.port, script), ["eno", "owt"]);
        });

        const { code } = await stopWithin(server, "SIGINT", 10_000);
        assert.equal(code, 0);
      }),
  );
});
