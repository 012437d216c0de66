/**
 * Hostile peers: a thousand connections that each send 64 KiB while the server is not accepting
 * (`iter` busy with one idle client). They wait in the `node` listener's accept queue, which
 * stands in for the kernel's backlog: the bytes they sent must stay in the kernel, except for
 * the few queued connections allowed to read ahead, so the server grows by far less than the
 * 64 MB they sent. Once the idle client leaves, every one of them is served.
 *
 * @module
 */

import assert from "node:assert/strict";
import { writeAll } from "../../lib/net/write_all.ts";
import { LineReader } from "../../lib/protocols/line_reader.ts";
import { TASK_SERVE } from "../support.ts";
import { mib, rssBytes } from "../support/process_tree.ts";
import { withServer } from "../support/server_guard.ts";
import { tcpSockets } from "../support/tcp_sockets.ts";
import { waitForSteady } from "../support/wait_for.ts";

const HOST = "127.0.0.1";
const CONNECTIONS = 1000;
const CHUNK = new Uint8Array(64 * 1024).fill(0x61);
/** Far below the 64 MB the queued connections sent, above a V8 heap's one-time resize (33 MB). */
const GROWTH_BOUND = 40 * 2 ** 20;

Deno.test("task-serve --io node: connections queued behind a busy server keep their bytes in the kernel", async () => {
  await withServer([
    ...TASK_SERVE,
    "--mode",
    "iter",
    "--io",
    "node",
    "--max-connections",
    String(CONNECTIONS + 1),
  ], async (server) => {
    const hold = await Deno.connect({ hostname: HOST, port: server.port });
    const conns: Deno.TcpConn[] = [];
    try {
      // The server takes the idle client (it answers it); everything after waits in its accept
      // queue.
      await writeAll(hold, new TextEncoder().encode("3|hold\n"));
      assert.equal(await new LineReader(hold).readLine(), "dloh");
      const before = rssBytes(server.pid);
      for (let i = 0; i < CONNECTIONS; i++) {
        conns.push(await Deno.connect({ hostname: HOST, port: server.port }));
      }
      await Promise.all(conns.map((conn) => writeAll(conn, CHUNK)));
      await untilServerStopsReading(server.port);
      const growth = rssBytes(server.pid) - before;
      assert.ok(
        growth < GROWTH_BOUND,
        `the server grew by ${mib(growth)} MB with ${CONNECTIONS} connections queued`,
      );
    } finally {
      hold.close();
      for (const conn of conns) conn.close();
    }
    // It stops by itself once it has served them all (--max-connections).
    const { stdout } = await server.finished;
    // Each queued connection's 64 KiB, unterminated, is one message once its client closes;
    // the idle client's request ("3|hold\n", 7 bytes) is one more.
    assert.match(
      stdout,
      new RegExp(`^Connections: ${CONNECTIONS + 1} opened, ${CONNECTIONS + 1} closed`, "m"),
    );
    assert.match(
      stdout,
      new RegExp(
        `^Messages: ${CONNECTIONS + 1}, bytes in: ${CONNECTIONS * CHUNK.length + 7},`,
        "m",
      ),
    );
  });
});

/**
 * Waits until the server has stopped taking bytes from its connections: two looks 200 ms apart
 * see the same bytes waiting in the kernel for it. A server that read every queued connection
 * would still be reading, so its growth is measured once it has read what it will.
 */
async function untilServerStopsReading(port: number): Promise<void> {
  const waiting = () => {
    let bytes = 0;
    for (const socket of tcpSockets()) {
      if (socket.localPort === port && socket.state === "ESTABLISHED") bytes += socket.rxQueue;
    }
    return bytes;
  };
  await waitForSteady(waiting, {
    what: "the bytes waiting for the server",
    timeoutMs: 30_000,
    intervalMs: 200,
  });
}
