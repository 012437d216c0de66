/**
 * `thr`: Web Workers. A pool of `--workers N`, each accepting on the shared port with
 * `reusePort`, or (`--workers 0`) a new Worker per connection with the bytes relayed, the
 * reference's thread-per-client. Everything a worker records reaches the parent by message.
 *
 * @module
 */

import type { Conn } from "../lib/net/transport.ts";
import { closeQuietly } from "../lib/net/close_quietly.ts";
import { epochNow } from "../lib/stats/epoch_now.ts";
import { transportFor } from "../lib/net/transports.ts";
import type { Member, MemberFactory } from "./_member.ts";
import type { MemberMessage, RelayIn, RelayOut, ThrStart } from "./_member_messages.ts";
import { eachMessage } from "./_message_batch.ts";
import { RelayWindow } from "./_relay_duplex.ts";
import type { PreparedMember } from "./_spare_member.ts";
import { supervisedMode } from "./_supervisor.ts";

const WORKER_URL = new URL("./_thr_worker.ts", import.meta.url).href;

/** A Worker started and loading its modules; it waits for its start message. */
function prepareWorker(): PreparedMember {
  const worker = new Worker(WORKER_URL, { type: "module" });
  // Until it is started, an error (its modules failing to load) must not reach the parent,
  // where an unhandled Worker error ends the process; the worker is then replaced unused.
  let failed = false;
  worker.onerror = (event) => {
    event.preventDefault();
    failed = true;
  };
  return {
    start: (start, onMessage, conn) => startWorker(worker, start, onMessage, conn),
    usable: () => !failed,
    discard: () => Promise.resolve(worker.terminate()),
  };
}

function startWorker(
  worker: Worker,
  ...[start, onMessage, conn]: Parameters<MemberFactory>
): Member {
  let settle!: (result: { failure?: string }) => void;
  const ended = new Promise<{ failure?: string }>((resolve) => settle = resolve);
  const relay = conn ? relayTo(conn, worker) : undefined;
  const receive = (message: MemberMessage | RelayOut) => {
    if (message.type === "write" || message.type === "consumed" || message.type === "end") {
      relay?.receive(message);
      return;
    }
    onMessage(message);
    if (message.type === "done") {
      worker.terminate();
      settle({});
    }
  };
  worker.onmessage = (event: MessageEvent<MemberMessage[] | MemberMessage | RelayOut>) =>
    eachMessage(event.data, receive);
  const kill = (failure: string) => {
    worker.terminate();
    if (conn) closeQuietly(conn);
    settle({ failure });
  };
  worker.onerror = (event) => {
    event.preventDefault();
    kill(event.message || "uncaught error");
  };
  const threadShared = transportFor(start.spec.io).threadShared?.();
  worker.postMessage({ ...start, threadShared } satisfies ThrStart);
  const member: Member = {
    send: (message) => worker.postMessage(message),
    kill,
    ended: ended.then(async (result) => {
      await relay?.writes();
      if (conn) closeQuietly(conn);
      return result;
    }),
  };
  return member;
}

/**
 * The parent's half of a relayed connection: pumps the socket's bytes to the worker within
 * the window the worker acknowledges, and writes the worker's bytes one at a time,
 * answering each so the worker's session sees the socket's backpressure.
 */
function relayTo(conn: Conn, worker: Worker) {
  const window = new RelayWindow();
  let writes = Promise.resolve();
  const post = (message: RelayIn) => worker.postMessage(message);
  void (async () => {
    try {
      for (let chunk = await conn.read(); chunk !== null; chunk = await conn.read()) {
        window.hold(chunk.length);
        post({ type: "data", bytes: chunk.slice(), at: epochNow() });
        await window.room();
      }
      post({ type: "eof" });
    } catch (error) {
      // Closed by us: the worker sees the end of the stream.
      post({ type: error instanceof Deno.errors.ConnectionReset ? "reset" : "eof" });
    }
  })();
  return {
    receive(message: RelayOut) {
      if (message.type === "consumed") {
        window.release(message.bytes);
      } else if (message.type === "end") {
        writes = writes.then(() => closeQuietly(conn));
      } else {
        writes = writes.then(() => conn.write(message.bytes)).then(
          () => post({ type: "written", ok: true }),
          () => {
            closeQuietly(conn);
            post({ type: "written", ok: false });
          },
        );
      }
    },
    writes: () => writes,
  };
}

/** The Web Worker mode. */
export const thrMode = supervisedMode(
  {
    name: "thr",
    memberName: { one: "worker", many: "workers" },
    poolIo: "node",
    // 13.7 MiB a Worker measured on 2026-11-21 and 14.2 on 2026-12-07 (36 members grew a
    // server by 512.8 MiB), with some room for growth; each has an event loop of its own, and
    // with the socket holds 7 of the process's descriptors (/proc/self/fd,
    // docs/notes/2026-12-07-descriptors-and-signals.md).
    costs: { bytesPerConnection: 16 * 2 ** 20, fdsPerConnection: 7, membersShareProcess: true },
  },
  "Web Workers: a pool sharing the port (--workers N) or one per connection (--workers 0)",
  (start, onMessage) => prepareWorker().start(start, onMessage),
  prepareWorker,
);
