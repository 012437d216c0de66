/**
 * One server connection from greeting to close: reads through the transport, frames, hands each
 * message to the protocol, writes the replies of one read in one write, and returns a
 * {@link ConnectionRecord}. Every concurrency mode runs connections through this one function.
 * Failures on the connection are recorded, never thrown.
 *
 * @module
 */

import { Framer, type Framing } from "../protocols/framing.ts";
import { type DeadlineKind, deadlineWatchFor } from "./deadline_watch.ts";
import type { Protocol } from "../protocols/protocol.ts";
import { SampleStats } from "../stats/sample_stats.ts";
import { type ChunkSink, feed, WRITTEN } from "../net/transport.ts";
import { utf8Length } from "../protocols/utf8.ts";
import { closeQuietly } from "../net/close_quietly.ts";
import { TurnQueue } from "./turn_queue.ts";

/** The byte stream a session runs on: a transport's connection, or a relay to one. */
export interface Duplex {
  /** The next bytes (valid until the next call), or null at the end of the peer's stream. */
  read(): Promise<Uint8Array | null>;
  /**
   * When the bytes of the last read arrived, for relays that learn it before the bytes reach
   * the session; without it the session's clock at the read is used.
   */
  arrivedAt?(): number;
  /** Writes every byte (text as UTF-8); resolves when more may be written, as {@link WRITTEN} if at once. */
  write(data: Uint8Array | string): Promise<void>;
  /** Pushes the peer's bytes instead of `read`, where the transport can (see `Conn.feed`). */
  feed?(sink: ChunkSink): Promise<void>;
  close(): void;
}

/** How a connection ended. */
export type ConnectionEnd =
  | "client" // the client closed
  | "server" // the protocol closed it (task `exit`)
  | "reset" // reset or broken pipe
  | "overflow" // a message exceeded --max-line
  | "first-byte-timeout" // no byte at all within --first-byte-timeout
  | "idle" // no bytes within --idle-timeout
  | "request-timeout" // a started line not completed within --request-timeout
  | "shutdown" // still open when the drain time ran out
  | "refused" // over --max-conns with --over-limit refuse
  | "lost"; // its worker or child died while it was open

/**
 * What one connection did; crosses worker and process borders as plain JSON once `gaps` is
 * turned into its JSON form.
 */
export interface ConnectionRecord {
  peer: string;
  /** Which worker or child served it, e.g. `main`, `worker 2`, `pid 1234`. */
  worker: string;
  /** Unix epoch milliseconds with sub-millisecond precision. */
  openedAt: number;
  closedAt: number;
  messages: number;
  bytesIn: number;
  bytesOut: number;
  /**
   * Milliseconds between consecutive messages, for protocols that record them. In a pool
   * member, progress reports take what it holds; the parent merges the rest in at close.
   */
  gaps: SampleStats;
  /** Messages dropped for exceeding --max-line. */
  oversized: number;
  end: ConnectionEnd;
}

/** The server's flags a session acts on (`--framing`, `--max-line`, ...), as the spec holds them. */
export interface SessionSettings {
  framing: Framing;
  maxLine: number;
  verbose: boolean;
  /** Milliseconds of silence after which the connection is closed; 0 disables. */
  idleTimeoutMs: number;
  /** Milliseconds a started line may take to complete, however it trickles in; 0 disables. */
  requestTimeoutMs: number;
  /** Milliseconds a connection may stay silent from its start; 0 (or none) disables. */
  firstByteTimeoutMs?: number;
}

/** What a session needs besides the connection. */
export interface SessionOptions extends SessionSettings {
  protocol: Protocol;
  log(line: string): void;
  /** The clock: epoch milliseconds, sub-millisecond precision. */
  now(): number;
  /** Where open connections' records are kept while they run, for progress reports. */
  live?: Set<ConnectionRecord>;
  /**
   * Hears every recorded message time (`--csv`): when it arrived (epoch milliseconds) and
   * the time since the connection's previous message, undefined for its first.
   */
  onSample?(peer: string, worker: string, atUnixMs: number, intervalMs: number | undefined): void;
}

function endFromError(error: unknown, expired: DeadlineKind | undefined): ConnectionEnd {
  if (expired === "first-byte") return "first-byte-timeout";
  if (expired === "idle") return "idle";
  if (expired === "request") return "request-timeout";
  if (error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted) {
    return "shutdown";
  }
  return "reset";
}

/** The record of a connection that has done nothing yet, ending as `end` unless told otherwise. */
export function emptyRecord(
  peer: string,
  worker: string,
  openedAt: number,
  end: ConnectionEnd,
): ConnectionRecord {
  return {
    peer,
    worker,
    openedAt,
    closedAt: openedAt,
    messages: 0,
    bytesIn: 0,
    bytesOut: 0,
    gaps: new SampleStats(),
    oversized: 0,
    end,
  };
}

/**
 * Serves one connection until it ends; never throws. Each chunk is answered as it arrives:
 * on a transport that pushes ({@link Duplex.feed}) the reply is written in the same turn,
 * and the next bytes wait only while a write or `--delay` is pending.
 */
export async function runSession(
  duplex: Duplex,
  peer: string,
  openedAt: number,
  worker: string,
  options: SessionOptions,
): Promise<ConnectionRecord> {
  const { protocol, verbose } = options;
  const record = emptyRecord(peer, worker, openedAt, "client");
  options.live?.add(record);
  const framer = new Framer(options.framing, options.maxLine);
  let lastAt = NaN;
  const deadlines = deadlineWatchFor(
    options.idleTimeoutMs,
    options.requestTimeoutMs,
    options.firstByteTimeoutMs,
  );
  const watched = deadlines?.watch(() => closeQuietly(duplex));
  /**
   * Settles true at the end of the peer's stream, or false once the protocol closed the
   * connection and its last reply went out, whichever comes first; rejects on a failure. One
   * promise that both ends settle: racing two made three more promises per connection.
   */
  const { promise: ended, resolve: settle, reject: fail } = Promise.withResolvers<boolean>();
  const finish = () => settle(false);
  let closing = false;
  /** When the last read arrived: a message the end of the stream completes arrived then. */
  let readAt = NaN;

  /**
   * Replies to the messages completed at `at`, from `from` on; a promise while the reply is not
   * yet out, or while messages wait for a later turn: after {@link WORK_BUDGET_MS} of work the
   * rest waits its turn in {@link turns}, so other connections (and timers: a member's
   * heartbeat) run, and this connection's reads stay paused meanwhile.
   */
  const answer = (
    messages: (string | undefined)[],
    at: number,
    from = 0,
  ): Promise<void> | undefined => {
    let out = "";
    let close = false;
    let next = messages.length;
    // A batch too small to reach the budget does not read the clock. Bytes that arrive while
    // others wait their turn get a first slice of a few messages, then wait as well.
    const sliceStart = messages.length - from > BUDGET_CHECK_EVERY ? performance.now() : 0;
    const budgetMs = from === 0 && turns.busy ? 0 : WORK_BUDGET_MS;
    for (let i = from; i < messages.length; i++) {
      const message = messages[i];
      if (message === undefined) continue;
      record.messages++;
      if (protocol.recordGaps) {
        if (!Number.isNaN(lastAt)) record.gaps.add(at - lastAt);
        options.onSample?.(peer, worker, at, Number.isNaN(lastAt) ? undefined : at - lastAt);
        lastAt = at;
      }
      const reply = protocol.handle(message);
      if (reply.text !== undefined) out += reply.text + "\n";
      if (verbose) {
        for (const line of protocol.verboseLines(peer, message, reply)) options.log(line);
      }
      if (reply.close) {
        close = true;
        break;
      }
      if (
        (i - from) % BUDGET_CHECK_EVERY === BUDGET_CHECK_EVERY - 1 && i + 1 < messages.length &&
        performance.now() - sliceStart >= budgetMs
      ) {
        next = i + 1;
        break;
      }
    }
    const more = !close && next < messages.length;
    if (more) {
      // The wait is this server's, not the peer's: no deadline runs against it.
      if (watched) deadlines!.touch(watched, false);
    } else if (framer.overflowed) {
      record.oversized++;
      const text = protocol.overflowReply(options.maxLine);
      if (text !== undefined) out += text + "\n";
      record.end = "overflow";
      close = true;
    } else if (close) {
      record.end = "server";
    }
    closing ||= close;
    const done = close ? finish : undefined;
    let pending: Promise<void> | undefined;
    if (out !== "") {
      const length = utf8Length(out);
      const write = () => duplex.write(out);
      const sent = protocol.delayMs > 0 ? delay(protocol.delayMs).then(write) : write();
      if (sent === WRITTEN) record.bytesOut += length;
      else pending = sent.then(() => void (record.bytesOut += length));
    }
    if (more) {
      pending = (pending ?? WRITTEN).then(() => turns.next()).then(() => {
        if (closing) return;
        const rest = answer(messages, at, next);
        if (!rest && watched) deadlines!.touch(watched, framer.buffered > 0);
        return rest;
      });
    }
    if (!pending) return void done?.();
    // The feed holds the next bytes until it settles, and ends with its failure.
    return done ? pending.then(done) : pending;
  };

  const sink: ChunkSink = (chunk) => {
    if (closing) return undefined;
    const at = duplex.arrivedAt?.() ?? options.now();
    readAt = at;
    record.bytesIn += chunk.length;
    const messages = framer.push(chunk);
    if (watched) deadlines!.touch(watched, framer.buffered > 0);
    const held = answer(messages, at);
    return held;
  };

  try {
    if (protocol.greeting !== undefined) {
      const greeting = protocol.greeting + "\n";
      await duplex.write(greeting);
      record.bytesOut += utf8Length(greeting);
    }
    // Once the protocol closed the connection, the feed ends in the close, which then
    // settles nothing.
    feed(duplex, sink).then(() => settle(true), fail);
    if (await ended) {
      // Most streams end on a newline: no last message.
      const message = framer.finish();
      const last = message === undefined ? undefined : answer([message], readAt);
      if (last) await last;
    }
  } catch (error) {
    record.end = endFromError(error, watched?.expired);
  } finally {
    if (watched) deadlines!.forget(watched);
    closeQuietly(duplex);
  }
  record.closedAt = options.now();
  options.live?.delete(record);
  return record;
}

/**
 * The most time one connection's messages take of a turn, in milliseconds: past it the rest
 * wait for a later turn (a timer's: `setImmediate` would keep Deno from polling sockets), so
 * one peer pipelining expensive requests (`2|9**9999`, 79 µs each) cannot hold the other
 * connections, or a member's heartbeat, for longer.
 */
export const WORK_BUDGET_MS = 4;

/** Where connections past their budget wait, one let go per timer turn (one per isolate). */
const turns = new TurnQueue();

/** How many messages go between two looks at the clock for {@link WORK_BUDGET_MS}. */
const BUDGET_CHECK_EVERY = 16;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
