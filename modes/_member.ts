/**
 * Pool members and per-connection members: the Web Workers of `thr` and the subprocesses of
 * `proc`. This file holds what both kinds share: the member as the supervisor sees it, and the
 * code a member runs once started, whatever carries its messages (`_member_messages.ts`).
 *
 * @module
 */

import { listenOn } from "../lib/net/listen.ts";
import type { Conn } from "../lib/net/transport.ts";
import type { DataSample, ModeOptions, ServerSpec } from "../lib/server/server_spec.ts";
import type { ConnectionRecord, Duplex, SessionOptions } from "../lib/server/session.ts";
import { acceptLoop, type ConnectionHandler } from "../lib/server/accept_loop.ts";
import { failpoint } from "../lib/server/failpoint.ts";
import { localHandler, serveHere, sessionOptions } from "./_local.ts";
import { MessageBatch } from "./_message_batch.ts";
import {
  HEARTBEAT_MS,
  type MemberMessage,
  type MemberStart,
  type ParentMessage,
} from "./_member_messages.ts";

/** The most data samples (`--csv`) a member sends in one message. */
export const SAMPLE_BATCH_ROWS = 2048;

/** How often a member reports its open connections' progress. */
export const PROGRESS_INTERVAL_MS = 100;

/**
 * Collects a member's data samples when the spec asks for them (`--csv`) and sends them in
 * batches of at most {@link SAMPLE_BATCH_ROWS}: when a batch is full, and on `flush`.
 */
function sampleBatches(spec: ServerSpec, emit: (message: MemberMessage) => void) {
  let rows: DataSample[] = [];
  const flush = () => {
    if (rows.length === 0) return;
    emit({ type: "samples", rows });
    rows = [];
  };
  const onSample: SessionOptions["onSample"] = (peer, worker, at, interval) => {
    rows.push([peer, worker, at, interval ?? null]);
    if (rows.length >= SAMPLE_BATCH_ROWS) flush();
  };
  return { onSample: spec.samples ? onSample : undefined, flush };
}

/**
 * Reports the progress of the records in `live` that changed since the last report, and the
 * data samples collected meanwhile, every {@link PROGRESS_INTERVAL_MS} or when asked
 * (`report`); `stop` ends it after a last report of the samples.
 */
function reportProgress(
  live: Set<ConnectionRecord>,
  emit: (message: MemberMessage) => void,
  samples: { flush(): void },
): { report(): void; stop(): void } {
  const reported = new WeakMap<ConnectionRecord, number>();
  const heartbeat = setInterval(() => emit({ type: "heartbeat" }), HEARTBEAT_MS);
  const report = () => {
    samples.flush();
    for (const record of live) {
      if (record.bytesIn === (reported.get(record) ?? 0)) continue;
      emit({
        type: "progress",
        peer: record.peer,
        messages: record.messages,
        bytesIn: record.bytesIn,
        bytesOut: record.bytesOut,
        oversized: record.oversized,
        gaps: record.gaps.take(),
      });
      reported.set(record, record.bytesIn);
    }
  };
  const timer = setInterval(report, PROGRESS_INTERVAL_MS);
  return {
    report,
    stop() {
      clearInterval(timer);
      clearInterval(heartbeat);
      samples.flush();
    },
  };
}

/** A started member, as the supervisor sees it. */
export interface Member {
  send(message: ParentMessage): void;
  /** Ends the member at once (it stopped responding); `ended` then reports `reason`. */
  kill(reason: string): void;
  /**
   * Resolves when the member has ended: `failure` says why if it died without `done`;
   * `queued`, the peers of the connections waiting in its accept queue when it was killed,
   * which the kernel reset, where they could be read (a `proc` child on Linux).
   */
  ended: Promise<MemberEnd>;
  /** Whether the member is stopped by a signal (SIGSTOP, a debugger), where that can be told. */
  stopped?(): Promise<boolean>;
}

/** How a member ended, see {@link Member.ended}. */
export interface MemberEnd {
  failure?: string;
  queued?: string[];
}

/** Starts a member; for the `conn` role, `conn` is the accepted connection to relay. */
export type MemberFactory = (
  start: MemberStart,
  onMessage: (message: MemberMessage) => void,
  conn?: Conn,
) => Member;

/** Mode options whose events go to the parent, records in their JSON form. */
function memberOptions(spec: ServerSpec, emit: (m: MemberMessage) => void): ModeOptions {
  return {
    ...spec,
    onEvent: (event) =>
      emit(
        event.type === "close"
          ? { type: "close", record: { ...event.record, gaps: event.record.gaps.toJSON() } }
          : event,
      ),
  };
}

/** The messages a pool member posts at once rather than in a batch: its life's milestones. */
const urgent = (message: MemberMessage) =>
  message.type === "listening" || message.type === "failed" || message.type === "done";

/**
 * Runs a pool member: listens on the shared port with `reusePort` (or on its own port behind
 * the parent's relay) and serves until `stop` (drain, then end) or `pause` (end once its
 * connections close). Posts its messages in batches ({@link MessageBatch}), `done` last.
 */
export async function runPoolMember(
  start: Extract<MemberStart, { role: "pool" }>,
  worker: string,
  post: (messages: MemberMessage[]) => void,
  control: { stop: AbortSignal; pause: AbortSignal; abandon: AbortSignal },
): Promise<void> {
  const { spec, fdShare, reusePort } = start;
  const batch = new MessageBatch(post, urgent);
  const emit = (message: MemberMessage) => batch.push(message);
  const live = new Set<ConnectionRecord>();
  const samples = sampleBatches(spec, emit);
  const progress = reportProgress(live, emit, samples);
  // An uncaught error ends the member: what it did up to then still reaches the parent, which
  // reports the connections left open as lost with these counts. A Web Worker's post is
  // synchronous; a `proc` child ends only once its write is out (see _proc_child.ts).
  const lastWords = () => {
    progress.report();
    batch.flush();
  };
  globalThis.addEventListener("error", lastWords);
  globalThis.addEventListener("unhandledrejection", lastWords);
  try {
    // Loaded here, not with the module: a member serving one relayed connection needs no
    // socket API, and node:net's polyfills cost a Web Worker tens of MB.
    const { transportFor } = await import("../lib/net/transports.ts");
    const listener = await listenOn(transportFor(spec.io), {
      host: spec.host,
      port: spec.port,
      reusePort,
      fdShare,
    });
    const options = memberOptions(spec, emit);
    emit({ type: "listening", hostname: listener.hostname, port: listener.port, worker });
    const handler = crashable(localHandler(options, worker, live, samples.onSample));
    await acceptLoop([listener], options, control.stop, handler, {
      sequential: false,
      worker,
      pause: control.pause,
      abandon: control.abandon,
    });
  } catch (error) {
    emit({ type: "failed", message: error instanceof Error ? error.message : String(error) });
  } finally {
    progress.stop();
    globalThis.removeEventListener("error", lastWords);
    globalThis.removeEventListener("unhandledrejection", lastWords);
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
      // At the next turn, before this connection's open event is posted: what the member
      // says as it dies must carry it, and the counts of the connections left open.
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
  const samples = sampleBatches(start.spec, emit);
  const progress = reportProgress(live, emit, samples);
  const session = sessionOptions(
    start.spec,
    (line) => emit({ type: "log", line }),
    live,
    samples.onSample,
  );
  await serveHere(duplex, start.peer, start.openedAt, start.worker, options, session);
  progress.stop();
  emit({ type: "done" });
}

/** Routes parent messages to the abort controllers a pool member watches. */
export function memberControl(): {
  stop: AbortSignal;
  pause: AbortSignal;
  abandon: AbortSignal;
  receive(message: ParentMessage): void;
} {
  const controllers = {
    stop: new AbortController(),
    pause: new AbortController(),
    abandon: new AbortController(),
  };
  return {
    stop: controllers.stop.signal,
    pause: controllers.pause.signal,
    abandon: controllers.abandon.signal,
    receive(message) {
      if (message.type === "abandon") controllers.stop.abort();
      controllers[message.type].abort();
    },
  };
}
