/**
 * Hostile peers, item 6 of issue 28: a relay must count what the client sent. Each of 8
 * connections sends a request and the start of another (`3|abc\n3|de`), reads the answer to
 * the first and resets: every variant must count one message per connection and record a
 * reset, as a socket read directly does (the reset drops the unterminated `3|de`). `proc
 * --workers 0` relayed the reset to its child as an orderly end, which counted `3|de` as a
 * second message and the connection as closed by the client.
 *
 * @module
 */

import assert from "node:assert/strict";
import net from "node:net";
import { numberAfter, TASK_SERVE } from "../support.ts";
import { stopWithin, tail, withServer } from "../support/server_guard.ts";
import { inEachVariant, VARIANTS } from "../support/variants.ts";

// Fewer than the 20, so that a member per connection starts quickly on a busy machine.
const CONNECTIONS = 8;

/** Sends `3|abc\n3|de`, waits for the reply to the first request, then resets. */
function requestThenReset(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write("3|abc\n3|de"));
    socket.setTimeout(10_000, () => reject(new Error("no reply within 10 s")));
    socket.on("data", (data) => {
      if (!data.toString().includes("cba\n")) return;
      socket.resetAndDestroy();
      resolve();
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error("closed by the server before its reply")));
  });
}

Deno.test("task-serve: connections reset after one request and a partial one count one message and a reset each", async (t) => {
  await inEachVariant(
    t,
    VARIANTS,
    (variant) =>
      withServer([...TASK_SERVE, "--verbose", ...variant.args], async (server) => {
        await Promise.all(Array.from({ length: CONNECTIONS }, () => requestThenReset(server.port)));
        await server.waitFor(/^\[x\] Connection closed for /, CONNECTIONS);
        const { code, stdout, stderr } = await stopWithin(server, "SIGTERM", 10_000);
        assert.equal(code, 0, tail(stderr));
        assert.equal(numberAfter(stdout, "Messages: "), CONNECTIONS, tail(stdout));
        assert.match(stdout, new RegExp(`closed \\(${CONNECTIONS} reset\\)`), tail(stdout));
      }),
  );
});
