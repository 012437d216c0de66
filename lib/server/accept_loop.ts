/**
 * The accept loop every mode shares: accepts until stopped or `maxConnections` is reached,
 * hands each connection to a handler (in turn for `iter`, concurrently otherwise), and on
 * stop drains open connections for `drainMs` before closing them, so that every record is in
 * when it resolves. A connection that fails before it is accepted (reset in the backlog) is
 * counted and the loop goes straight on; only running out of descriptors or memory pauses it,
 * briefly, since retrying at once would spin. Such an episode is logged once, as it starts
 * (retrying every 200 ms at most had logged 1,545 warnings a minute), and once as it ends,
 * with how many accepts failed; connections a listener reset over its budget are counted, and
 * so are those it had taken but closes unserved as accepting stops.
 *
 * @module
 */

import { type Conn, isResourceExhaustion, type Listener } from "../net/transport.ts";
import type { ModeOptions } from "./server_spec.ts";
import { emptyRecord } from "./session.ts";
import { closeQuietly } from "../net/close_quietly.ts";
import { epochNow } from "../stats/epoch_now.ts";

/** The line a connection over `--max-conns` gets with `--over-limit refuse`. */
export const BUSY_REPLY = "Error: server busy: too many connections, try again later\n";

/** Serves one accepted connection; resolves when the connection's record has been reported. */
export type ConnectionHandler = (conn: Conn, openedAt: number) => Promise<void>;

/** How the loop runs. */
export interface AcceptLoopOptions {
  /** Serve one connection at a time (`iter`). */
  sequential: boolean;
  /** Name of the worker that accepts, for the open event. */
  worker: string;
  /** Aborted to stop accepting without draining (a pool reached --max-connections). */
  pause?: AbortSignal;
  /** Aborted to close every connection at once, without draining (the parent is gone). */
  abandon?: AbortSignal;
}

const FIRST_PAUSE_MS = 10;
const MAX_PAUSE_MS = 200;

/**
 * Runs the loop on `listeners` (which it closes) until stopped and drained. Several listeners
 * sharing a port with `reusePort` are several accept queues served by this one loop.
 */
export async function acceptLoop(
  listeners: Listener[],
  options: ModeOptions,
  signal: AbortSignal,
  handler: ConnectionHandler,
  loop: AcceptLoopOptions,
): Promise<void> {
  const open = new Set<Conn>();
  const running = new Set<Promise<void>>();
  let accepting = true;
  let drainTimer: ReturnType<typeof setTimeout> | undefined;
  let slotWaiters: (() => void)[] = [];
  const wakeAcceptors = () => {
    // Called at every close: most find nobody waiting and should not allocate.
    if (slotWaiters.length === 0) return;
    const waiters = slotWaiters;
    slotWaiters = [];
    for (const wake of waiters) wake();
  };
  const unserved = (count: number) => {
    if (count > 0) options.onEvent({ type: "unserved", count });
  };
  const stopAccepting = () => {
    if (!accepting) return;
    accepting = false;
    unserved(listeners.reduce((sum, listener) => sum + listener.close(), 0));
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
  loop.abandon?.addEventListener("abort", () => {
    stopAccepting();
    for (const conn of open) closeQuietly(conn);
  }, { once: true });

  let accepted = 0;
  const exhaustion = exhaustionEpisodes(options);
  const full = () => options.maxConns > 0 && open.size >= options.maxConns;
  const waitForSlot = () => new Promise<void>((resolve) => slotWaiters.push(resolve));
  const acceptFrom = async (listener: Listener) => {
    let pauseMs = 0;
    while (accepting) {
      if (full() && options.overLimit === "wait") {
        // Leave new connections in the backlog until one closes.
        await waitForSlot();
        continue;
      }
      let conn: Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        exhaustion.counted(error);
        if (!accepting || error instanceof Deno.errors.BadResource) break;
        if (!isResourceExhaustion(error)) {
          options.onEvent({ type: "aborted" });
          continue;
        }
        exhaustion.failed(error);
        pauseMs = Math.min(MAX_PAUSE_MS, Math.max(FIRST_PAUSE_MS, pauseMs * 2));
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
        continue;
      }
      pauseMs = 0;
      exhaustion.accepted();
      const openedAt = epochNow();
      if (full() && options.overLimit === "refuse") {
        refuse(conn, openedAt, loop.worker, options);
        continue;
      }
      // Another accept queue may have filled the last slot meanwhile: hold this one until a
      // slot frees, as the backlog would.
      while (full() && accepting) await waitForSlot();
      if (!accepting) {
        closeQuietly(conn);
        unserved(1);
        break;
      }
      accepted++;
      open.add(conn);
      options.onEvent({ type: "open", peer: conn.peer, worker: loop.worker, at: openedAt });
      const release = () => {
        open.delete(conn);
        running.delete(served);
        wakeAcceptors();
      };
      // Not `finally`, which takes two more promises and turns of the microtask queue for each
      // connection, which add up under connection churn.
      const served: Promise<void> = handler(conn, openedAt).then(release, (error) => {
        release();
        throw error;
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

/**
 * Reports running out of descriptors (or memory) once per episode: a warning when accepts
 * start failing, a status line when one succeeds again; and counts the connections a
 * listener reset meanwhile (a failed accept's `shed`, see NodeListener: the error that
 * reports its close carries the last of them).
 */
function exhaustionEpisodes(options: ModeOptions) {
  let failures = 0;
  let since = 0;
  return {
    counted(error: unknown) {
      const shed = (error as { shed?: number }).shed ?? 0;
      if (shed > 0) options.onEvent({ type: "shed", count: shed });
    },
    failed(error: unknown) {
      if (failures++ > 0) return;
      since = performance.now();
      options.onEvent({
        type: "warning",
        message: `Accept failed (${
          error instanceof Error ? error.message : error
        }); new connections wait in the backlog (or are reset, and counted) while retrying every ${MAX_PAUSE_MS} ms at most; logged once until accepting again`,
      });
    },
    accepted() {
      if (failures === 0) return;
      options.onEvent({
        type: "status",
        message: `accepting again after ${failures} failed accepts over ${
          ((performance.now() - since) / 1000).toFixed(1)
        } s`,
      });
      failures = 0;
    },
  };
}

/** Answers a connection over the limit with {@link BUSY_REPLY} and records it as refused. */
function refuse(conn: Conn, openedAt: number, worker: string, options: ModeOptions): void {
  const peer = conn.peer;
  options.onEvent({ type: "open", peer, worker, at: openedAt });
  const bytes = new TextEncoder().encode(BUSY_REPLY);
  const done = (bytesOut: number) => {
    closeQuietly(conn);
    options.onEvent({
      type: "close",
      record: { ...emptyRecord(peer, worker, openedAt, "refused"), closedAt: epochNow(), bytesOut },
    });
  };
  // A short reply fits the socket buffer; the write is not awaited so the loop keeps accepting.
  conn.write(bytes).then(() => done(bytes.length), () => done(0));
}
