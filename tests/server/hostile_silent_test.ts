/**
 * Hostile peers, item 5 of issue 28: connections that never send a byte. `--request-timeout`
 * starts at the first byte and `--idle-timeout` is 5 minutes, so 8 silent connections held
 * every slot of `proc --workers 0` (36 those of `thr --workers 0`) for 5 minutes. With
 * `--first-byte-timeout` they are closed once it passes, in every variant: here 2 silent
 * connections fill `--max-conns 2` and a well-behaved client behind them is still answered.
 *
 * @module
 */

import assert from "node:assert/strict";
import { TASK_SERVE } from "../support.ts";
import { askWithin, readUntilClosed } from "../support/attacks.ts";
import { stopWithin, tail, withServer } from "../support/server_guard.ts";
import { inEachVariant, VARIANTS } from "../support/variants.ts";

const SILENT = 2;
const LIMIT = ["--max-conns", String(SILENT), "--first-byte-timeout", "1s"];

Deno.test("task-serve --first-byte-timeout: silent connections are closed and free their slots", async (t) => {
  await inEachVariant(
    t,
    VARIANTS,
    (variant) =>
      withServer([...TASK_SERVE, ...LIMIT, ...variant.args], async (server) => {
        const silent = await Promise.all(
          Array.from({ length: SILENT }, () =>
            Deno.connect({ hostname: "127.0.0.1", port: server.port })),
        );
        // Behind them, however long a member takes to start on a busy machine.
        const normal = await askWithin(server.port, "3|abc", 20_000);
        assert.equal(normal.reply, "cba", `no reply within ${Math.round(normal.ms)} ms`);
        const closed = await Promise.all(silent.map((conn) =>
          readUntilClosed(conn, 20_000)
        ));
        assert.ok(closed.every((c) => c.closed), "a silent connection was left open");
        const { code, stdout, stderr } = await stopWithin(server, "SIGTERM", 10_000);
        assert.equal(code, 0, tail(stderr));
        assert.match(stdout, new RegExp(`${SILENT} first-byte-timeout`), tail(stdout));
      }),
  );
});
