/**
 * The load generator of `bench sweep` and `bench scale`, run in Web Workers (see
 * `load_worker.ts`). Each worker drives its share of the connections: connects them (at most
 * `pace` connecting at once, so a short listen backlog does not distort the figures), makes
 * one round trip on each to confirm it was accepted, and once every connection of every
 * worker has (the shared start barrier, as `ldgen -P` does) runs the remaining round trips;
 * it checks every reply, records latency in its
 * own HDR histogram and counts failures by kind. It reports once at the end; the parent
 * merges the reports once (see `load_workers.ts`).
 *
 * The request loop is kept lean, since at tens of thousands of round trips a second it is
 * otherwise the generator, not the server, that gets measured: replies are fed to it as they
 * arrive (`Conn.feed`) and the next request is written in the same turn, with no allocation,
 * timer or promise of its own per request, one clock reading per reply (in the closed model the
 * reply's time is the next request's send time), and one {@link DeadlineWatch} per worker,
 * as the servers use, that closes the connections whose request is late instead of a timer per
 * request.
 *
 * Besides the totals, a worker reports when its phases happened and how many requests it
 * completed in each millisecond, so that the parent can rate requests over the request phase
 * alone, as `ldgen` does.
 *
 * @module
 */

import {
  emptyFailures,
  type FailureCounts,
  type FailureExamples,
  type ScaleConnectionRow,
} from "./bench_result.ts";
import { describeLoss, mayBecome, quoteBytes, replyEnd, sameBytes } from "./reply_bytes.ts";
import { formatDuration } from "../cli/units.ts";
import { describeConnectError, type FailureKind, failureKind } from "../net/connect.ts";
import { type ChunkSink, type Conn, feed, type IoName, WRITTEN } from "../net/transport.ts";
import { transportFor } from "../net/transports.ts";
import { createLatencyHistogram, encodeHistogram, recordMs } from "../stats/histogram.ts";
import { DeadlineWatch } from "../server/deadline_watch.ts";
import { closeQuietly } from "../net/close_quietly.ts";
import { StartBarrier } from "../client/start_barrier.ts";
import { CompletionTally } from "./completion_tally.ts";
import { ConnectPacer } from "./connect_pacer.ts";
import { encodeUtf8 } from "../protocols/utf8.ts";

/** What a load worker is asked to do. */
export interface LoadWorkerStart {
  host: string;
  port: number;
  /** Connection numbers this worker drives (for the per-connection rows). */
  first: number;
  count: number;
  requests: number;
  /** The bytes of one request, as text. */
  request: string;
  /** The correct reply without its newline; undefined: any line is correct. */
  expected?: string;
  /** At most this many connects in flight. */
  pace: number;
  /** The socket API. */
  io: IoName;
  timeoutMs: number;
  /** Open model: requests per second per connection, latency from the intended send time. */
  rate?: number;
  /**
   * Epoch milliseconds to begin at: the worker is started ahead and waits, so that its own
   * start-up does not delay the load (see `--start-at`).
   */
  startAt?: number;
  /**
   * The {@link StartBarrier} of all the load's workers: each connection's first round trip
   * confirms it was accepted, and the rest wait until every connection has confirmed, as
   * `ldgen -P` does, so the request phase runs with every connection open.
   */
  barrier: SharedArrayBuffer;
  /** Web Workers of the load: each waits for them all on the barrier before it connects. */
  workers: number;
}

/** One connection's outcome: a scale row before the parent adds the step's target and count. */
export type LoadConnectionResult = Omit<ScaleConnectionRow, "target" | "connections">;

/** When a worker's phases happened, in epoch milliseconds, comparable across workers. */
export interface LoadWorkerTiming {
  /** Every worker of the load had started (and `startAt` had come): it began connecting. */
  startedAt: number;
  /** Its first request was sent (`startedAt` if none was). */
  firstRequestAt: number;
  /** Its last correct reply came (`firstRequestAt` if none did). */
  lastReplyAt: number;
  /** The start barrier released it: every connection of the load had confirmed or failed. */
  connectedAt: number;
  /** Its last connection finished. */
  endedAt: number;
  /** Correctly answered requests per millisecond; index 0 is the millisecond `completedFrom`. */
  completed: Uint32Array;
  /** The epoch millisecond (an integer) that `completed[0]` counts. */
  completedFrom: number;
}

/** A load worker's report. */
export interface LoadWorkerResult {
  connections: LoadConnectionResult[];
  histogram: string;
  failures: FailureCounts;
  /** The first failure of each kind. */
  examples: FailureExamples;
  requests: number;
  bytes: number;
  timing: LoadWorkerTiming;
}

const NEWLINE = 0x0a;

/** Runs one worker's share of the load. */
export async function generateLoad(start: LoadWorkerStart): Promise<LoadWorkerResult> {
  const barrier = new StartBarrier(start.barrier);
  await barrier.arrive(start.workers);
  if (start.startAt !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start.startAt! - Date.now())));
  }
  const startedAt = performance.now();
  // As `node:buffer`'s Buffer, which the node transport writes without wrapping it again.
  const request = encodeUtf8(start.request);
  const requestLength = request.length;
  const expected = start.expected === undefined ? undefined : encodeUtf8(start.expected);
  const wanted = start.expected === undefined ? "a reply" : JSON.stringify(start.expected);
  const requests = start.requests;
  const timeoutMs = start.timeoutMs;
  const intervalMs = start.rate ? 1000 / start.rate : 0;
  const transport = transportFor(start.io);
  const histogram = createLatencyHistogram();
  const failures = emptyFailures();
  const examples: FailureExamples = {};
  const rows: LoadConnectionResult[] = [];
  let totalRequests = 0;
  let totalBytes = 0;
  let firstRequestAt = Infinity;
  let connectedAt = startedAt;
  const allConfirmed = barrier.startAt().then(() => {
    connectedAt = performance.now();
  });

  const tally = new CompletionTally(startedAt);
  const pacer = new ConnectPacer(start.pace);

  // Closing a late connection's socket makes its pending read or write fail, and the watched
  // entry's `expired` turns that failure into a timeout.
  const deadlines = new DeadlineWatch({ idleMs: 0, requestMs: timeoutMs });

  const fail = (
    row: LoadConnectionResult,
    kind: FailureKind,
    request: number,
    got: string,
    expected = wanted,
  ) => {
    failures[kind]++;
    row.failures++;
    examples[kind] ??= { conn: row.conn, request, expected, got };
  };

  const one = async (row: LoadConnectionResult): Promise<void> => {
    const begin = performance.now();
    let socket: Conn;
    const wait = pacer.acquire();
    if (wait) await wait;
    try {
      socket = await transport.connect(start.host, start.port, timeoutMs);
    } catch (error) {
      const where = `a connection to ${start.host}:${start.port}`;
      fail(row, failureKind(error), 0, describeConnectError(error, start.host, start.port), where);
      barrier.greeted();
      return;
    } finally {
      pacer.release();
      barrier.connected();
    }
    const buffer = new Uint8Array(Math.max(4096, (expected?.length ?? 0) + 2));
    const watched = deadlines.watch(() => closeQuietly(socket));
    let latencySum = 0;
    let done = 0;
    let got = 0;
    /** The request being made (0-based); `requests` once all were answered. */
    let i = 0;
    // The last reply was taken without its newline, which may still come: not a reply.
    let strayNewline = false;
    // Whether this connection's first round trip told the barrier it is up (or failed).
    let confirmed = false;
    const confirm = () => {
      confirmed = true;
      barrier.greeted();
    };
    let t0 = performance.now();
    if (t0 < firstRequestAt) firstRequestAt = t0;
    let sentAt = t0;
    /**
     * Settles true when the server ended the stream, false once every request was answered,
     * whichever comes first; rejects on a failure of the socket before that (as the session's).
     */
    const { promise: ended, resolve: settle, reject: broke } = Promise.withResolvers<boolean>();

    /** Sends request `i`, in the open model at its intended time; a promise while not sent. */
    const send = (): Promise<void> | undefined => {
      if (i === requests) {
        settle(false);
        return undefined;
      }
      if (intervalMs > 0) {
        // Open model: send at the intended time; latency counts from it, even when late.
        const due = t0 + i * intervalMs;
        const now = performance.now();
        if (due > now) {
          watched.requestStartedAt = NaN; // not waiting for the server while idle
          return new Promise((wake) => setTimeout(wake, Math.ceil(due - now))).then(() => {
            // A timer may still wake a fraction of a millisecond early: then the request goes
            // out before its intended time, and its latency counts from when it actually did.
            const woke = performance.now();
            sentAt = Math.min(due, woke);
            watched.requestStartedAt = woke;
            return socket.write(request);
          });
        }
        sentAt = due;
        watched.requestStartedAt = now;
      } else {
        watched.requestStartedAt = sentAt;
      }
      const written = socket.write(request);
      return written === WRITTEN ? undefined : written;
    };

    /** Takes `buffer[0, got)` as request `i`'s reply: checks and records it, moves to the next. */
    const replied = () => {
      const now = performance.now();
      const latency = now - sentAt;
      // Closed model: the next request goes out right away.
      sentAt = now;
      const end = expected === undefined ? got : replyEnd(buffer, got);
      if (expected !== undefined && !sameBytes(buffer, end, expected)) {
        fail(row, "mismatch", i + 1, quoteBytes(buffer, end));
      } else {
        recordMs(histogram, latency);
        latencySum += latency;
        done++;
        tally.add(now);
      }
      got = 0;
      i++;
    };

    // A reply ends with a newline, with the server's close, or, when it is exactly the
    // expected text, with the read that brought it (servers that send no newline).
    const sink: ChunkSink = (chunk) => {
      if (i === requests) return undefined;
      if (strayNewline) {
        strayNewline = false;
        if (chunk[0] === NEWLINE) {
          chunk = chunk.subarray(1);
          if (chunk.length === 0) return undefined;
        }
      }
      // What does not fit the buffer cannot be the expected reply: it is cut, and mismatches.
      const n = Math.min(chunk.length, buffer.length - got);
      buffer.set(chunk.subarray(0, n), got);
      got += n;
      if (buffer[got - 1] !== NEWLINE && got !== buffer.length) {
        // An unfinished reply waits for more, unless it can no longer be the expected one:
        // then it is wrong now, not a timeout later (a reference server's error reply has
        // no newline and the connection stays open).
        if (expected === undefined) return undefined;
        if (sameBytes(buffer, got, expected)) strayNewline = true;
        else if (mayBecome(buffer, got, expected)) return undefined;
      }
      replied();
      if (confirmed) return send();
      confirm();
      if (i === requests) return send();
      watched.requestStartedAt = NaN; // not waiting for the server at the barrier
      return allConfirmed.then(() => {
        sentAt = performance.now();
        // The open model keeps its schedule, shifted only by as much as the barrier held it.
        t0 = Math.max(t0, sentAt - i * intervalMs);
        return send();
      });
    };

    try {
      const first = send();
      if (first) await first;
      // Once every request is answered the socket closes under the feed, which then settles
      // nothing.
      feed(socket, sink).then(() => settle(true), broke);
      const serverClosed = await ended;
      if (serverClosed && i < requests) {
        if (got === 0) {
          fail(row, "reset", i + 1, "the server closed the connection without a reply");
        } else {
          replied();
          if (i < requests) {
            fail(row, "reset", i + 1, "nothing: the server had closed the connection");
          }
        }
      }
    } catch (error) {
      const came = got > 0 ? `${quoteBytes(buffer, got)}, then ` : "";
      if (watched.expired) {
        fail(row, "timeout", i + 1, `${came || "nothing "}within ${formatDuration(timeoutMs)}`);
      } else fail(row, failureKind(error), i + 1, `${came}${describeLoss(error)}`);
    } finally {
      if (!confirmed) confirm();
      deadlines.forget(watched);
      closeQuietly(socket);
    }
    row.requests = done;
    row.bytes = done * requestLength;
    row.durationMs = performance.now() - begin;
    row.meanResponseMs = done ? latencySum / done : 0;
    totalRequests += done;
    totalBytes += row.bytes;
  };

  const running: Promise<void>[] = [];
  for (let i = 0; i < start.count; i++) {
    const row: LoadConnectionResult = {
      conn: start.first + i,
      requests: 0,
      bytes: 0,
      durationMs: 0,
      meanResponseMs: 0,
      failures: 0,
    };
    rows.push(row);
    running.push(one(row));
  }
  await Promise.all(running);
  const endedAt = performance.now();
  const epoch = (t: number) => performance.timeOrigin + t;
  const firstSent = firstRequestAt === Infinity ? startedAt : firstRequestAt;
  return {
    connections: rows,
    histogram: encodeHistogram(histogram),
    failures,
    examples,
    requests: totalRequests,
    bytes: totalBytes,
    timing: {
      startedAt: epoch(startedAt),
      firstRequestAt: epoch(firstSent),
      lastReplyAt: epoch(Math.max(tally.lastAt, firstSent)),
      connectedAt: epoch(connectedAt),
      endedAt: epoch(endedAt),
      completed: tally.until(endedAt),
      completedFrom: tally.from,
    },
  };
}
