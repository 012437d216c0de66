/**
 * Pool members and per-connection members: the Web Workers of `thr` and the subprocesses of
 * `proc`. This file holds what both kinds share: the messages between parent and member, the
 * start message, and the code a member runs once started, whatever carries its messages.
 *
 * @module
 */

import { listenOn } from "../lib/net/listen.ts";
import type { Conn } from "../lib/net/transport.ts";
import { transportFor } from "../lib/net/transports.ts";
import type { ModeOptions, ServerEvent, ServerSpec } from "../lib/server/server_spec.ts";
import type { ConnectionRecord, Duplex } from "../lib/server/session.ts";
import { acceptLoop, type ConnectionHandler } from "../lib/server/accept_loop.ts";
import { failpoint } from "../lib/server/failpoint.ts";
import { localHandler, serveHere, sessionOptions } from "./_local.ts";

/** Parent to member: stop (drain, then end) or pause (stop accepting, end when idle). */
export type ParentMessage = { type: "stop" } | { type: "pause" };

/**
 * What an open connection has done so far, reported every {@link PROGRESS_INTERVAL_MS} when
 * it changed, so that a member's counts survive the member's death. `gaps` holds only the
 * inter-arrival times recorded since the previous report.
 */
export interface ConnectionProgress {
  type: "progress";
  peer: string;
  messages: number;
  bytesIn: number;
  bytesOut: number;
  oversized: number;
  gaps: number[];
}

/**
 * Member to parent: server events and progress, then `done`; `failed` if it could not start;
 * a heartbeat at least every {@link HEARTBEAT_MS} while it runs.
 */
export type MemberMessage =
  | ServerEvent
  | ConnectionProgress
  | { type: "heartbeat" }
  | { type: "done" }
  | { type: "failed"; message: string };

/** How often a member reports its open connections' progress. */
export const PROGRESS_INTERVAL_MS = 100;

/** How often a member says it is alive. */
export const HEARTBEAT_MS = 250;

/**
 * Reports the progress of the records in `live` that changed since the last report, every
 * {@link PROGRESS_INTERVAL_MS}; returns the function that stops it.
 */
function reportProgress(
  live: Set<ConnectionRecord>,
  emit: (message: MemberMessage) => void,
): () => void {
  const reported = new WeakMap<ConnectionRecord, { bytesIn: number; gaps: number }>();
  const heartbeat = setInterval(() => emit({ type: "heartbeat" }), HEARTBEAT_MS);
  const timer = setInterval(() => {
    for (const record of live) {
      const last = reported.get(record) ?? { bytesIn: 0, gaps: 0 };
      if (record.bytesIn === last.bytesIn) continue;
      emit({
        type: "progress",
        peer: record.peer,
        messages: record.messages,
        bytesIn: record.bytesIn,
        bytesOut: record.bytesOut,
        oversized: record.oversized,
        gaps: record.gaps.slice(last.gaps),
      });
      reported.set(record, { bytesIn: record.bytesIn, gaps: record.gaps.length });
    }
  }, PROGRESS_INTERVAL_MS);
  return () => {
    clearInterval(timer);
    clearInterval(heartbeat);
  };
}

/** How a member starts: accept on the shared port, or serve one relayed connection. */
export type MemberStart =
  /** `fdShare`: the share of the process's descriptors this member may use. */
  | { role: "pool"; spec: ServerSpec; worker: string; fdShare: number }
  | { role: "conn"; spec: ServerSpec; worker: string; peer: string; openedAt: number };

/** A started member, as the supervisor sees it. */
export interface Member {
  send(message: ParentMessage): void;
  /** Ends the member at once (it stopped responding); `ended` then reports `reason`. */
  kill(reason: string): void;
  /** Resolves when the member has ended: `failure` says why if it died without `done`. */
  ended: Promise<{ failure?: string }>;
}

/** Starts a member; for the `conn` role, `conn` is the accepted connection to relay. */
export type MemberFactory = (
  start: MemberStart,
  onMessage: (message: MemberMessage) => void,
  conn?: Conn,
) => Member;

function memberOptions(spec: ServerSpec, emit: (m: MemberMessage) => void): ModeOptions {
  return { ...spec, onEvent: emit };
}

/**
 * Runs a pool member: listens on the shared port with `reusePort` and serves until `stop`
 * (drain, then end) or `pause` (end once its connections close). Reports `done` last.
 */
export async function runPoolMember(
  start: Extract<MemberStart, { role: "pool" }>,
  worker: string,
  emit: (message: MemberMessage) => void,
  control: { stop: AbortSignal; pause: AbortSignal },
): Promise<void> {
  const { spec, fdShare } = start;
  const live = new Set<ConnectionRecord>();
  const stopReporting = reportProgress(live, emit);
  try {
    const listener = await listenOn(transportFor(spec.io), {
      host: spec.host,
      port: spec.port,
      reusePort: true,
      fdShare,
    });
    const options = memberOptions(spec, emit);
    emit({ type: "listening", hostname: listener.hostname, port: listener.port, worker });
    const handler = crashable(localHandler(options, worker, live));
    await acceptLoop([listener], options, control.stop, handler, {
      sequential: false,
      worker,
      pause: control.pause,
    });
  } catch (error) {
    emit({ type: "failed", message: error instanceof Error ? error.message : String(error) });
  } finally {
    stopReporting();
  }
  emit({ type: "done" });
}

/** The handler, unless the `member-crash-after` failpoint makes it crash the member. */
function crashable(handler: ConnectionHandler): ConnectionHandler {
  const crashAfter = failpoint("member-crash-after");
  if (crashAfter === undefined) return handler;
  let accepted = 0;
  return (conn, openedAt) => {
    if (++accepted === crashAfter) {
      setTimeout(() => {
        throw new Error(`failpoint member-crash-after=${crashAfter}`);
      });
    }
    return handler(conn, openedAt);
  };
}

/** Serves one relayed connection in a member and reports `done` once its record is out. */
export async function runConnMember(
  start: Extract<MemberStart, { role: "conn" }>,
  duplex: Duplex,
  emit: (message: MemberMessage) => void,
): Promise<void> {
  const options = memberOptions(start.spec, emit);
  const live = new Set<ConnectionRecord>();
  const stopReporting = reportProgress(live, emit);
  const session = sessionOptions(start.spec, (line) => emit({ type: "log", line }), live);
  await serveHere(duplex, start.peer, start.openedAt, start.worker, options, session);
  stopReporting();
  emit({ type: "done" });
}

/** Routes parent messages to the abort controllers a pool member watches. */
export function memberControl(): {
  stop: AbortSignal;
  pause: AbortSignal;
  receive(message: ParentMessage): void;
} {
  const stop = new AbortController();
  const pause = new AbortController();
  return {
    stop: stop.signal,
    pause: pause.signal,
    receive(message) {
      (message.type === "stop" ? stop : pause).abort();
    },
  };
}
