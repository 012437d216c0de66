/**
 * Raw hostile peers for the hostile-peer suite: connections reset while they wait in the
 * accept queue, clients that trickle bytes, and reading whatever a server left behind.
 *
 * @module
 */

import net from "node:net";
import { LineReader } from "../../lib/protocols/line_reader.ts";
import { processTree, signalTree } from "./process_tree.ts";
import { acceptQueue, establishedTo } from "./tcp_sockets.ts";
import { sleep, waitFor } from "./wait_for.ts";

const HOST = "127.0.0.1";

/** What the kernel listed after the resets: proof that they sat in the accept queue, reset. */
export interface ResetProof {
  /** Connections waiting in the listeners' accept queues (their Recv-Q). */
  queued: number;
  /** Server-side connections on the port still established (0: all were reset). */
  established: number;
}

/**
 * Makes `count` connections to `port` that are reset before the server accepts them: the
 * server's whole process tree is stopped (SIGSTOP), each connection completes its handshake
 * and waits in the accept queues, the kernel's socket table counts them there, each is
 * then reset (`resetAndDestroy`, SO_LINGER 0) and the table lists none of them established; the tree is
 * continued. Its `accept()` then meets only dead connections.
 */
export async function resetBeforeAccept(
  serverPid: number,
  port: number,
  count: number,
): Promise<ResetProof> {
  const pids = processTree(serverPid);
  signalTree(serverPid, "SIGSTOP");
  try {
    const sockets = await Promise.all(
      Array.from({ length: count }, () =>
        new Promise<net.Socket>((resolve, reject) => {
          const socket = net.connect(port, HOST, () => resolve(socket));
          socket.on("error", reject);
        })),
    );
    // A client's connect completes at the SYN-ACK, and the server's side joins the accept queue
    // at the ACK the client sends then. A reset sent at once can overtake that ACK on a busy
    // machine (seen: 478 of 500 queued under a parallel suite); the server then drops the
    // half-open connection, which is never queued at all. So the resets wait for the queue.
    let queued = 0;
    try {
      await waitFor(() => (queued = acceptQueue(port)) >= count, {
        what: () => `${count} connections in the accept queues of port ${port} (${queued} so far)`,
      });
    } catch { /* the proof below tells how many were queued */ }
    for (const socket of sockets) socket.resetAndDestroy();
    let established = count;
    try {
      await waitFor(() => (established = establishedTo(port)) === 0, {
        what: "the resets to reach the server's side",
        timeoutMs: 5000,
      });
    } catch { /* the proof below tells how many were not reset */ }
    return { queued: acceptQueue(port), established };
  } finally {
    for (const pid of pids) {
      try {
        Deno.kill(pid, "SIGCONT");
      } catch { /* exited */ }
    }
  }
}

/**
 * Writes `bytes` one at a time, `intervalMs` apart, until all are sent or a write fails (the
 * server closed); returns how many were written.
 */
export async function trickle(
  conn: Deno.Conn,
  bytes: Uint8Array,
  intervalMs: number,
): Promise<number> {
  for (let i = 0; i < bytes.length; i++) {
    try {
      await conn.write(bytes.subarray(i, i + 1));
    } catch {
      return i;
    }
    if (i + 1 < bytes.length) await sleep(intervalMs);
  }
  return bytes.length;
}

/** Calls `onChunk` with each read until the end of the stream, a reset or a close. */
async function readEach(conn: Deno.Conn, onChunk: (bytes: Uint8Array) => void): Promise<void> {
  const buffer = new Uint8Array(256 * 1024);
  try {
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
      onChunk(buffer.subarray(0, n));
    }
  } catch { /* reset or closed: what came before it counts */ }
}

/** Reads until the end of the stream or a reset; returns the byte count (does not close). */
export async function drainBytes(conn: Deno.Conn): Promise<number> {
  let total = 0;
  await readEach(conn, (bytes) => total += bytes.length);
  return total;
}

/** Sends one request line and waits up to `timeoutMs` for its reply line; null on timeout. */
export async function askWithin(
  port: number,
  line: string,
  timeoutMs: number,
): Promise<{ reply: string | null; ms: number }> {
  const started = performance.now();
  const conn = await Deno.connect({ hostname: HOST, port });
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    await conn.write(new TextEncoder().encode(line + "\n"));
    const reply = await new LineReader(conn).readLine();
    return { reply, ms: performance.now() - started };
  } catch {
    return { reply: null, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer */ }
  }
}

/**
 * Reads until the peer closes (or resets) or `timeoutMs` pass after `from` settles (default: at
 * once); the connection is closed afterwards. `closed` says whether the peer closed it in time.
 */
export async function readUntilClosed(
  conn: Deno.Conn,
  timeoutMs: number,
  from: Promise<unknown> = Promise.resolve(),
): Promise<{ text: string; closed: boolean }> {
  let closed = true;
  let done = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  from.finally(() => {
    if (done) return;
    timer = setTimeout(() => {
      closed = false;
      conn.close();
    }, timeoutMs);
  });
  const decoder = new TextDecoder();
  let text = "";
  await readEach(conn, (bytes) => text += decoder.decode(bytes, { stream: true }));
  done = true;
  clearTimeout(timer);
  if (closed) conn.close();
  return { text: text + decoder.decode(), closed };
}

/**
 * One conversation on a new connection, bounded by `timeoutMs`: each string in `script` is
 * written as is and answered by one reply line; each number is a pause in milliseconds.
 * Returns the replies, null for those that did not come.
 */
export async function converse(
  port: number,
  script: (string | number)[],
  timeoutMs = 5000,
): Promise<(string | null)[]> {
  const conn = await Deno.connect({ hostname: HOST, port });
  const timer = setTimeout(() => conn.close(), timeoutMs);
  const lines = new LineReader(conn);
  const replies: (string | null)[] = [];
  try {
    for (const step of script) {
      if (typeof step === "number") await sleep(step);
      else {
        await conn.write(new TextEncoder().encode(step));
        replies.push(await lines.readLine());
      }
    }
  } catch { /* closed by the server or the timer: the replies so far tell */ }
  clearTimeout(timer);
  try {
    conn.close();
  } catch { /* closed by the timer */ }
  return replies;
}

/** Idle connections opened by {@link openIdle}. */
export interface IdleConnections {
  conns: Deno.TcpConn[];
  /** How many were greeted, i.e. accepted and served by the server. */
  greeted(): number;
  /** True if opening stopped because the server stopped accepting (the rest wait). */
  waiting: boolean;
  close(): void;
}

/**
 * Opens `count` connections to a timestamp server (`serve`) `batch` at a time, each waiting up
 * to `greetingMs` for the greeting that shows it was accepted; those not greeted stay open,
 * waiting in the backlog, and no more are opened. `more` is asked before each batch (e.g. a
 * memory guard).
 */
export async function openIdle(
  port: number,
  count: number,
  { batch = 10, greetingMs = 10_000, more = (): boolean => true } = {},
): Promise<IdleConnections> {
  const conns: Deno.TcpConn[] = [];
  let greeted = 0;
  let waiting = false;
  while (conns.length < count && more()) {
    const size = Math.min(batch, count - conns.length);
    const opened = await Promise.all(
      Array.from({ length: size }, () => Deno.connect({ hostname: HOST, port })),
    );
    conns.push(...opened);
    const greetings = opened.map((conn) =>
      new LineReader(conn).readLine().then((line) => line !== null, () => false)
    );
    const waited = await Promise.race([
      Promise.all(greetings),
      sleep(greetingMs).then(() => null),
    ]);
    if (waited === null) {
      greeted += (await Promise.all(greetings.map((g) => Promise.race([g, false])))).filter(
        Boolean,
      ).length;
      waiting = true;
      break;
    }
    greeted += waited.filter(Boolean).length;
  }
  return {
    conns,
    greeted: () => greeted,
    waiting,
    close: () =>
      conns.forEach((conn) => {
        try {
          conn.close();
        } catch { /* closed by the server */ }
      }),
  };
}

/** `count` clients that each send a request, half-close, and reset 0 to 5 ms later. */
export async function halfCloseThenReset(port: number, count: number): Promise<void> {
  await Promise.all(Array.from({ length: count }, (_, i) =>
    new Promise<void>((done) => {
      const socket = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true }, () => {
        socket.end("3|abc\n");
        setTimeout(() => {
          socket.resetAndDestroy();
          done();
        }, i % 6);
      });
      socket.on("error", () => done());
    })));
}
