/**
 * Every message between a server's parent and its members (the Web Workers of `thr`, the
 * subprocesses of `proc`), whatever carries it. A member is started with a
 * {@link MemberStart}, is told to end by {@link ParentMessage}s, and reports with
 * {@link MemberMessage}s: server events, {@link ConnectionProgress}, a heartbeat every
 * {@link HEARTBEAT_MS}, then `done` (or `failed`). A member serving one relayed connection
 * also exchanges the connection's bytes with the parent: {@link RelayIn} and
 * {@link RelayOut} for a Web Worker, {@link relayRecord}s on a pipe for a child.
 *
 * The channels, side by side ("batch": a `MemberMessage[]`, see `_message_batch.ts`):
 *
 * ```
 *  layout              start             parent → member         member → parent
 *  ------------------  ----------------  ----------------------  --------------------------
 *  thr pool            1st postMessage:  postMessage:            postMessage: batches
 *  (--workers N)       ThrStart          ParentMessage
 *  thr per connection  1st postMessage:  postMessage: RelayIn    postMessage: single
 *  (--workers 0)       ThrStart                                  MemberMessages and RelayOut
 *  proc pool           argv: `__child    stdin: JSON lines, one  stdout: JSON lines, one
 *  (--workers N)       '<MemberStart     ParentMessage each (its batch each; stderr is the
 *                      JSON>'`           end means abandon)      parent's (inherited)
 *  proc per            1st line on       stdin: relayRecords     stdout: the reply bytes as
 *  connection          stdin: `__child`  (the client's reads)    the client gets them;
 *  (--workers 0)                                                 stderr: JSON lines, one
 *                                                                MemberMessage each
 * ```
 *
 * A per-connection member is started before its connection arrives (`_spare_member.ts`),
 * so its start comes as a message, not in its argv.
 *
 * Pool members accept on the shared port with `reusePort`. Where that does not spread
 * connections (macOS, Windows, `SOCKLAB_SHARED_PORT=proxy`), the pool runs behind a relay
 * (`_proxy_pool.ts`): each member listens on a loopback port of its own (`reusePort: false`,
 * `port: 0` in its start), says which in its `listening` message, and the parent accepts on
 * the server's port and splices every connection to a member over TCP; the control channel
 * is the pool's as above. Per-connection members never listen: the parent accepts, and
 * relays the connection's bytes over the member's channel with at most a window
 * (`_relay_duplex.ts`) ahead of what the member's session has read.
 *
 * @module
 */

import type { ServerEvent, ServerSpec } from "../lib/server/server_spec.ts";
import type { ConnectionRecord } from "../lib/server/session.ts";
import type { SampleStatsJson } from "../lib/stats/sample_stats.ts";

/**
 * Parent to member: stop (drain, then end), pause (stop accepting, end when idle), or
 * abandon (the parent is gone: close every connection now, nobody will read the report).
 */
export type ParentMessage = { type: "stop" } | { type: "pause" } | { type: "abandon" };

/**
 * What an open connection has done so far, reported every `PROGRESS_INTERVAL_MS` when it
 * changed, so that a member's counts survive the member's death. `gaps` holds only the
 * inter-arrival times recorded since the previous report (taken out of the record, so the
 * close record carries the rest and the parent merges them all).
 */
export interface ConnectionProgress {
  type: "progress";
  peer: string;
  messages: number;
  bytesIn: number;
  bytesOut: number;
  oversized: number;
  gaps: SampleStatsJson;
}

/** A connection record as it crosses to the parent: its statistics in JSON form. */
export type WireRecord = Omit<ConnectionRecord, "gaps"> & { gaps: SampleStatsJson };

/** How often a member says it is alive. */
export const HEARTBEAT_MS = 250;

/**
 * Member to parent: server events and progress, then `done`; `failed` if it could not start;
 * a heartbeat at least every {@link HEARTBEAT_MS} while it runs.
 */
export type MemberMessage =
  | Exclude<ServerEvent, { type: "close" }>
  | { type: "close"; record: WireRecord }
  | ConnectionProgress
  | { type: "heartbeat" }
  | { type: "done" }
  | { type: "failed"; message: string };

/** How a member starts: accept on the shared port, or serve one relayed connection. */
export type MemberStart =
  /**
   * `fdShare`: the share of the process's descriptors this member may use; `reusePort`: the
   * port is shared with the other members, or (false) the member's own behind a relay.
   */
  | { role: "pool"; spec: ServerSpec; worker: string; fdShare: number; reusePort: boolean }
  | { role: "conn"; spec: ServerSpec; worker: string; peer: string; openedAt: number };

/**
 * A thr member's start: the member's, and what the parent's listeners share with the
 * Web Workers that listen in its process, if its transport shares anything
 * (`Transport.threadShared`).
 */
export type ThrStart = MemberStart & { threadShared?: Int32Array };

/** What the parent posts to a worker serving a relayed connection, besides control messages. */
export type RelayIn =
  | { type: "data"; bytes: Uint8Array; at: number }
  | { type: "eof" }
  | { type: "reset" }
  | { type: "written"; ok: boolean };

/** What such a worker posts back, besides member messages. */
export type RelayOut =
  | { type: "write"; bytes: Uint8Array }
  | { type: "consumed"; bytes: number }
  | { type: "end" };

/**
 * A relayed read as a record on a pipe: kind (1 data, 0 end of stream, 2 reset), the arrival
 * time as a float64, the length as a uint32, then the bytes.
 */
export const RELAY_HEADER_BYTES = 13;
const DATA = 1;
const END = 0;
const RESET = 2;

/**
 * Encodes the bytes of one read that arrived at `at`, or with `null` the end of the stream,
 * or with `"reset"` the peer's reset.
 */
export function relayRecord(bytes: Uint8Array | null | "reset", at: number): Uint8Array {
  const data = bytes instanceof Uint8Array ? bytes : null;
  const record = new Uint8Array(RELAY_HEADER_BYTES + (data?.length ?? 0));
  const header = new DataView(record.buffer);
  header.setUint8(0, data ? DATA : bytes === "reset" ? RESET : END);
  header.setFloat64(1, at);
  header.setUint32(9, data?.length ?? 0);
  if (data) record.set(data, RELAY_HEADER_BYTES);
  return record;
}

/** A {@link relayRecord}'s header, read from its first {@link RELAY_HEADER_BYTES}. */
export function relayHeader(
  header: DataView,
): { kind: "data" | "end" | "reset"; at: number; length: number } {
  const kind = header.getUint8(0);
  return {
    kind: kind === END ? "end" : kind === RESET ? "reset" : "data",
    at: header.getFloat64(1),
    length: header.getUint32(9),
  };
}

/**
 * Signals besides SIGINT that the parent handles (see `runServer`) and that may reach a `proc`
 * child with it, sent to the whole process group: the child leaves them to the parent.
 */
export const PARENT_SIGNALS: Deno.Signal[] = ["SIGHUP", "SIGUSR1", "SIGUSR2", "SIGALRM"];
