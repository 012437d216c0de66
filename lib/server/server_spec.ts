/**
 * The contract between the server commands and the concurrency modes: the serialisable
 * {@link ServerSpec} every mode, Web Worker and subprocess receives, the {@link ServerEvent}s
 * they report back, and the {@link Mode} signature they all share.
 *
 * @module
 */

import type { IoName } from "../net/transport.ts";
import type { ProtocolConfig } from "../protocols/protocol.ts";
import type { ConnectionRecord, SessionSettings } from "./session.ts";

/** Everything a server needs, in a form that crosses worker and process borders. */
export interface ServerSpec extends SessionSettings {
  host: string;
  port: number;
  /** The socket API the server runs on. */
  io: IoName;
  /** Pool size for `thr` and `proc`; 0 means one worker or process per connection. */
  workers: number;
  protocol: ProtocolConfig;
  /** After a stop request, how long open connections may go on before they are closed. */
  drainMs: number;
  /** Stop accepting after this many connections and end when they have closed; 0: no limit. */
  maxConnections: number;
  /** Most connections open at once per accepting thread or process; 0: as the fd limit allows. */
  maxConns: number;
  /** Beyond `maxConns`: leave new connections in the backlog, or accept and refuse them. */
  overLimit: "wait" | "refuse";
  /** Report every data sample as it is recorded (for `--csv`). */
  samples: boolean;
}

/**
 * One data sample for `--csv`: the connection, when the message arrived (epoch milliseconds)
 * and the time since the connection's previous message (null for its first).
 */
export type DataSample = [
  peer: string,
  worker: string,
  atUnixMs: number,
  intervalMs: number | null,
];

/** What a running server reports. Records arrive once per connection, when it closes. */
export type ServerEvent =
  | { type: "listening"; hostname: string; port: number; worker?: string }
  | { type: "open"; peer: string; worker: string; at: number }
  | { type: "close"; record: ConnectionRecord }
  /** A connection that failed before it was accepted (reset in the backlog); only counted. */
  | { type: "aborted" }
  /** Connections a listener reset unaccepted, its descriptor budget full; only counted. */
  | { type: "shed"; count: number }
  /**
   * Connections this process had taken from the kernel but not yet served when it stopped
   * accepting, closed unserved; only counted.
   */
  | { type: "unserved"; count: number }
  /** Data samples, only when the spec asks for them; in arrival order per connection. */
  | { type: "samples"; rows: DataSample[] }
  | { type: "log"; line: string }
  | { type: "warning"; message: string }
  /** A notable change in how the server runs, e.g. a worker starting; for stderr. */
  | { type: "status"; message: string };

/** A running server's options: the spec plus where its events go. */
export interface ModeOptions extends ServerSpec {
  onEvent(event: ServerEvent): void;
  /**
   * Aborted (after the stop signal) to close every open connection now instead of draining
   * them: their records, with what they counted, come in at once. A second Ctrl-C.
   */
  hurry?: AbortSignal;
}

/** A concurrency mode. `run` resolves once the server has stopped and every record is in. */
export interface Mode {
  name: string;
  /** One line for help texts. */
  description: string;
  /** The socket API it runs on with this many workers unless `--io` says otherwise. */
  defaultIo(workers: number): IoName;
  /** How the mode runs with this many workers, for reports: `2 workers`, `one thread`. */
  layout(workers: number): string;
  /** Serves one connection at a time, so that concurrent clients wait for each other. */
  servesOneAtATime: boolean;
  run(options: ModeOptions, signal: AbortSignal): Promise<void>;
}
