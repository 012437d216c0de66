/**
 * Hostile peers, item 3 of issue 9 (second point): the per-connection variants
 * (`thr --workers 0`, `proc --workers 0`) pay a Web Worker or a whole process per idle
 * connection (about 10 and 43 MB) and had no default limit, so 100 idle sockets took
 * `proc --workers 0` to 4.3 GB. With default flags they must hold 100 idle connections within
 * {@link IDLE_BUDGET} of their baseline memory — a default connection limit derived from the
 * memory per idle connection (scripts/measure_conn_memory.ts), the rest waiting in the backlog
 * — and serve a new client once the idle ones leave.
 *
 * @module
 */

import assert from "node:assert/strict";
import { SERVE } from "../support.ts";
import { openIdle } from "../support/attacks.ts";
import { mib, treeRssBytes } from "../support/process_tree.ts";
import { stopWithin, withServer } from "../support/server_guard.ts";
import { tcpEnds } from "../support/tcp_sockets.ts";
import { inEachVariant, VARIANTS } from "../support/variants.ts";
import { waitFor, waitForSteady } from "../support/wait_for.ts";

const IDLE_CONNECTIONS = 100;
/** What 100 idle connections may cost a server with default flags. */
const IDLE_BUDGET = 512 * 2 ** 20;
/** Two readings of the tree's memory 200 ms apart that differ by less than this agree. */
const RSS_SETTLED = 2 ** 20;

/** The tree's resident memory once it stops moving. */
const settledRss = (pid: number, what: string) =>
  waitForSteady(() => treeRssBytes(pid), { what, tolerance: RSS_SETTLED, intervalMs: 200 });

Deno.test("per-connection variants: 100 idle connections stay within 512 MiB by default", async (t) => {
  const perConnection = VARIANTS.filter((variant) => variant.perConnection);
  await inEachVariant(
    t,
    perConnection,
    (variant, check) =>
      withServer([...SERVE, ...variant.args], async (server) => {
        // The baseline: the server once the member of a first connection has closed it and
        // its memory has settled (the member gone, a `proc` server's spare child started).
        const first = await openIdle(server.port, 1);
        const firstPort = first.conns[0].localAddr.port;
        first.close();
        await waitFor(() => {
          const end = tcpEnds(firstPort, server.port).there;
          return end === undefined || !["ESTABLISHED", "CLOSE_WAIT"].includes(end.state);
        }, { what: "the server to close the first connection" });
        const baseline = await settledRss(server.pid, "the baseline memory");
        // The guard stops opening more once the budget is gone: the check has failed by then.
        const idle = await openIdle(server.port, IDLE_CONNECTIONS, {
          greetingMs: 5000,
          more: () => treeRssBytes(server.pid) - baseline <= IDLE_BUDGET,
        });
        const growth = await settledRss(server.pid, "the memory with the idle connections") -
          baseline;

        await check(
          `${IDLE_CONNECTIONS} idle connections cost at most ${mib(IDLE_BUDGET)} MiB`,
          () => {
            assert.ok(
              growth <= IDLE_BUDGET,
              `RSS grew by ${mib(growth)} MiB over ${mib(baseline)} MiB with ${idle.greeted()} ` +
                `of ${idle.conns.length} connections accepted`,
            );
            return Promise.resolve();
          },
        );

        await check("a new client is served once the idle connections close", async () => {
          idle.close();
          const next = await openIdle(server.port, 1, { greetingMs: 10_000 });
          next.close();
          assert.equal(next.greeted(), 1, "no greeting within 10 s");
        });

        const { code } = await stopWithin(server, "SIGINT", 10_000);
        assert.equal(code, 0);
      }),
  );
});
