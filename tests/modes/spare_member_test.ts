/**
 * The spare member of the per-connection modes: a `proc --workers 0` server starts a child
 * before any connection arrives, and the first connection is served by that child rather
 * than by one started for it (`modes/_spare_member.ts`).
 *
 * @module
 */

import assert from "node:assert/strict";
import net from "node:net";
import { TASK_SERVE } from "../support.ts";
import { processTree } from "../support/process_tree.ts";
import { stopWithin, tail, withServer } from "../support/server_guard.ts";
import { waitFor } from "../support/wait_for.ts";

/** Sends `3|abc` and resolves once the reply has come. */
function request(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write("3|abc\n"));
    socket.setTimeout(10_000, () => reject(new Error("no reply within 10 s")));
    socket.on("data", (data) => {
      if (!data.toString().includes("cba\n")) return;
      socket.end();
      resolve();
    });
    socket.on("error", reject);
  });
}

Deno.test("proc --workers 0 serves a connection with a child started before it arrived", async () => {
  await withServer([...TASK_SERVE, "--mode", "proc", "--workers", "0"], async (server) => {
    const ahead = await waitFor(() => {
      const children = processTree(server.pid).filter((pid) => pid !== server.pid);
      return children.length > 0 && children;
    }, { what: "a child started before any connection" });
    await request(server.port);
    const { code, stdout, stderr } = await stopWithin(server, "SIGTERM", 10_000);
    assert.equal(code, 0, tail(stderr));
    const servedBy = stdout.match(/child #1 \(pid (\d+)\): 1 connection/)?.[1];
    assert.ok(servedBy, tail(stdout));
    assert.ok(ahead.includes(Number(servedBy)), `served by ${servedBy}, started ahead: ${ahead}`);
  });
});
