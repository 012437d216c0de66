/**
 * The accept loop every mode shares: accepts until stopped or `maxConnections` is reached,
 * hands each connection to a handler (in turn for `iter`, concurrently otherwise), backs off
 * and retries on accept failures such as EMFILE, and on stop drains open connections for
 * `drainMs` before closing them, so that every record is in when it resolves.
 *
 * @module
 */

import { formatPeer } from "../net/listen.ts";
import type { ModeOptions } from "./server_spec.ts";
import { closeQuietly, epochNow } from "./session.ts";
import { SampleStats } from "../stats/sample_stats.ts";

/** The line a connection over `--max-conns` gets with `--over-limit refuse`. */
export const BUSY_REPLY = "Error: server busy: too many connections, try again later\n";

/** Serves one accepted connection; resolves when the connection's record has been reported. */
export type ConnectionHandler = (
  conn: Deno.TcpConn,
  peer: string,
  openedAt: number,
) => Promise<void>;

/** How the loop runs. */
export interface AcceptLoopOptions {
  /** Serve one connection at a time (`iter`). */
  sequential: boolean;
  /** Name of the worker that accepts, for the open event. */
  worker: string;
  /** Aborted to stop accepting without draining (a pool reached --max-connections). */
  pause?: AbortSignal;
}

const MAX_BACKOFF_MS = 1000;

/**
 * Runs the loop on `listeners` (which it closes) until stopped and drained. Several listeners
 * sharing a port with `reusePort` are several accept queues served by this one loop.
 */
export async function acceptLoop(
  listeners: Deno.TcpListener[],
  options: ModeOptions,
  signal: AbortSignal,
  handler: ConnectionHandler,
  loop: AcceptLoopOptions,
): Promise<void> {
  const open = new Set<Deno.TcpConn>();
  const running = new Set<Promise<void>>();
  let accepting = true;
  let drainTimer: ReturnType<typeof setTimeout> | undefined;
  let slotWaiters: (() => void)[] = [];
  const wakeAcceptors = () => {
    const waiters = slotWaiters;
    slotWaiters = [];
    for (const wake of waiters) wake();
  };
  const stopAccepting = () => {
    if (!accepting) return;
    accepting = false;
    listeners.forEach(closeQuietly);
    wakeAcceptors();
  };
  const onStop = () => {
    stopAccepting();
    drainTimer = setTimeout(() => {
      for (const conn of open) closeQuietly(conn);
    }, options.drainMs);
  };
  if (signal.aborted) onStop();
  signal.addEventListener("abort", onStop, { once: true });
  loop.pause?.addEventListener("abort", stopAccepting, { once: true });

  let accepted = 0;
  const full = () => options.maxConns > 0 && open.size >= options.maxConns;
  const acceptFrom = async (listener: Deno.TcpListener) => {
    let backoffMs = 0;
    while (accepting) {
      if (full() && options.overLimit === "wait") {
        // Leave new connections in the kernel's backlog until one closes.
        await new Promise<void>((resolve) => slotWaiters.push(resolve));
        continue;
      }
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (!accepting || error instanceof Deno.errors.BadResource) break;
        backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(10, backoffMs * 2));
        options.onEvent({
          type: "warning",
          message: `Accept failed (${
            error instanceof Error ? error.message : error
          }); retrying in ${backoffMs} ms`,
        });
        await new Promise((resolve) => setTimeout(resolve, backoffMs));
        continue;
      }
      backoffMs = 0;
      const openedAt = epochNow();
      const peer = formatPeer(conn.remoteAddr);
      if (full() && options.overLimit === "refuse") {
        refuse(conn, peer, openedAt, loop.worker, options);
        continue;
      }
      // Another accept queue may have filled the last slot meanwhile: hold this one until a
      // slot frees, as the backlog would.
      while (full() && accepting) await new Promise<void>((resolve) => slotWaiters.push(resolve));
      if (!accepting) {
        closeQuietly(conn);
        break;
      }
      accepted++;
      open.add(conn);
      options.onEvent({ type: "open", peer, worker: loop.worker, at: openedAt });
      const served = handler(conn, peer, openedAt).finally(() => {
        open.delete(conn);
        running.delete(served);
        wakeAcceptors();
      });
      running.add(served);
      if (options.maxConnections > 0 && accepted >= options.maxConnections) stopAccepting();
      if (loop.sequential) await served;
    }
  };
  try {
    await Promise.all(listeners.map(acceptFrom));
    while (running.size > 0) await Promise.all(running);
  } finally {
    stopAccepting();
    clearTimeout(drainTimer);
    signal.removeEventListener("abort", onStop);
  }
}

/** Answers a connection over the limit with {@link BUSY_REPLY} and records it as refused. */
function refuse(
  conn: Deno.TcpConn,
  peer: string,
  openedAt: number,
  worker: string,
  options: ModeOptions,
): void {
  options.onEvent({ type: "open", peer, worker, at: openedAt });
  const bytes = new TextEncoder().encode(BUSY_REPLY);
  const done = (bytesOut: number) => {
    closeQuietly(conn);
    options.onEvent({
      type: "close",
      record: {
        peer,
        worker,
        openedAt,
        closedAt: epochNow(),
        messages: 0,
        bytesIn: 0,
        bytesOut,
        gaps: new SampleStats(),
        oversized: 0,
        end: "refused",
      },
    });
  };
  // A short reply fits the socket buffer; the write is not awaited so the loop keeps accepting.
  conn.write(bytes).then(done, () => done(0));
}
