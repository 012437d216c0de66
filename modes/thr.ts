/**
 * `thr`: Web Workers. A pool of `--workers N`, each accepting on the shared port with
 * `reusePort`, or (`--workers 0`) a new Worker per connection with the bytes relayed, the
 * reference's thread-per-client. Everything a worker records reaches the parent by message.
 *
 * @module
 */

import { closeQuietly, epochNow, writeAll } from "../lib/server/session.ts";
import type { Member, MemberFactory, MemberMessage } from "./_member.ts";
import { supervisedMode } from "./_supervisor.ts";

/** What the parent posts to a worker serving a relayed connection, besides control messages. */
export type RelayIn = { type: "data"; bytes: Uint8Array; at: number } | { type: "eof" };
/** What such a worker posts back, besides member messages. */
export type RelayOut = { type: "write"; bytes: Uint8Array } | { type: "end" };

const WORKER_URL = new URL("./_thr_worker.ts", import.meta.url).href;
const RELAY_BUFFER_BYTES = 16 * 1024;

const spawnWorker: MemberFactory = (start, onMessage, conn) => {
  const worker = new Worker(WORKER_URL, { type: "module" });
  let settle!: (result: { failure?: string }) => void;
  const ended = new Promise<{ failure?: string }>((resolve) => settle = resolve);
  let writes = Promise.resolve();
  worker.onmessage = (event: MessageEvent<MemberMessage | RelayOut>) => {
    const message = event.data;
    if (message.type === "write" || message.type === "end") {
      if (!conn) return;
      writes = writes.then(async () => {
        if (message.type === "end") return closeQuietly(conn);
        await writeAll(conn, message.bytes);
      }).catch(() => closeQuietly(conn));
      return;
    }
    onMessage(message);
    if (message.type === "done") {
      worker.terminate();
      settle({});
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    worker.terminate();
    if (conn) closeQuietly(conn);
    settle({ failure: event.message || "uncaught error" });
  };
  worker.postMessage(start);
  if (conn) void pumpToWorker(conn, worker);
  const member: Member = {
    send: (message) => worker.postMessage(message),
    ended: ended.then(async (result) => {
      await writes;
      if (conn) closeQuietly(conn);
      return result;
    }),
  };
  return member;
};

async function pumpToWorker(conn: Deno.TcpConn, worker: Worker): Promise<void> {
  try {
    for (;;) {
      const buffer = new Uint8Array(RELAY_BUFFER_BYTES);
      const n = await conn.read(buffer);
      if (n === null) break;
      const bytes = buffer.subarray(0, n);
      worker.postMessage({ type: "data", bytes, at: epochNow() } satisfies RelayIn);
    }
  } catch { /* reset, or closed by us: the worker sees the end of the stream */ }
  worker.postMessage({ type: "eof" } satisfies RelayIn);
}

/** The Web Worker mode. */
export const thrMode = supervisedMode(
  "thr",
  "Web Workers: a pool sharing the port (--workers N) or one per connection (--workers 0)",
  { one: "worker", many: "workers" },
  spawnWorker,
);
