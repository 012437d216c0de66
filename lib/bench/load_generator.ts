/**
 * The load generator of `bench sweep` and `bench scale`, run in Web Workers (see
 * `load_worker.ts`). Each worker drives its share of the connections: connects them (at most
 * `pace` connecting at once, so a short listen backlog does not distort the figures), runs
 * `requests` round trips of the request on each, checks every reply, records latency in its
 * own HDR histogram and counts failures by kind. It reports once at the end; the parent
 * merges the reports once (see `load_workers.ts`).
 *
 * The request loop is kept lean, since at tens of thousands of round trips a second it is
 * otherwise the generator, not the server, that gets measured: no allocation, timer, promise
 * or helper call of its own per request, one clock reading per reply (in the closed model the
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
  type FailureKind,
  type ScaleConnectionRow,
} from "./bench_result.ts";
import { describeLoss, quoteBytes, replyEnd, sameBytes } from "./reply_bytes.ts";
import { formatDuration } from "../cli/units.ts";
import { describeConnectError, failureKind } from "../net/connect.ts";
import type { Conn, IoName } from "../net/transport.ts";
import { transportFor } from "../net/transports.ts";
import { createLatencyHistogram, encodeHistogram, recordMs } from "../stats/histogram.ts";
import { DeadlineWatch } from "../server/deadline_watch.ts";
import { closeQuietly } from "../server/session.ts";

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
}

/** One connection's outcome: a scale row before the parent adds the step's target and count. */
export type LoadConnectionResult = Omit<ScaleConnectionRow, "target" | "connections">;

/** When a worker's phases happened, in epoch milliseconds, comparable across workers. */
export interface LoadWorkerTiming {
  /** The worker received its start message. */
  startedAt: number;
  /** Its first request was sent (`startedAt` if none was). */
  firstRequestAt: number;
  /** Its last correct reply came (`firstRequestAt` if none did). */
  lastReplyAt: number;
  /** Every one of its connections had connected or failed to. */
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
  if (start.startAt !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start.startAt! - Date.now())));
  }
  const startedAt = performance.now();
  const encoder = new TextEncoder();
  const request = encoder.encode(start.request);
  const requestLength = request.length;
  const expected = start.expected === undefined ? undefined : encoder.encode(start.expected);
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
  let pendingConnects = start.count;

  // Completions per epoch millisecond: index = (now + tickOffset) | 0.
  const completedFrom = Math.floor(performance.timeOrigin + startedAt);
  const tickOffset = performance.timeOrigin - completedFrom;
  let completed = new Uint32Array(4096);
  let lastReplyAt = -Infinity;
  const countCompleted = (now: number) => {
    lastReplyAt = now;
    const tick = (now + tickOffset) | 0;
    if (tick >= completed.length) {
      const grown = new Uint32Array(Math.max(completed.length * 2, tick + 1));
      grown.set(completed);
      completed = grown;
    }
    completed[tick]++;
  };

  // Connection pacing: at most `pace` connects in flight, the others queue in order.
  let connecting = 0;
  const waiters: (() => void)[] = [];
  let nextWaiter = 0;
  const acquire = (): Promise<void> | undefined => {
    if (connecting < start.pace) {
      connecting++;
      return undefined;
    }
    return new Promise<void>((resolve) => waiters.push(resolve));
  };
  const release = () => {
    // The slot passes straight to the next waiter, if any.
    if (nextWaiter < waiters.length) waiters[nextWaiter++]();
    else connecting--;
  };

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
    const wait = acquire();
    if (wait) await wait;
    try {
      socket = await transport.connect(start.host, start.port, timeoutMs);
    } catch (error) {
      const where = `a connection to ${start.host}:${start.port}`;
      fail(row, failureKind(error), 0, describeConnectError(error, start.host, start.port), where);
      return;
    } finally {
      release();
      if (--pendingConnects === 0) connectedAt = performance.now();
    }
    const buffer = new Uint8Array(Math.max(4096, (expected?.length ?? 0) + 2));
    const watched = deadlines.watch(() => closeQuietly(socket));
    let latencySum = 0;
    let done = 0;
    let got = 0;
    let i = 0;
    // The server closed the connection after a reply; no further request can be made.
    let closed = false;
    // The last reply was taken without its newline, which may still come: not a reply.
    let strayNewline = false;
    const t0 = performance.now();
    if (t0 < firstRequestAt) firstRequestAt = t0;
    let sentAt = t0;
    try {
      for (; i < requests; i++) {
        if (closed) {
          fail(row, "reset", i + 1, "nothing: the server had closed the connection");
          break;
        }
        if (intervalMs > 0) {
          // Open model: send at the intended time; latency counts from it, even when late.
          const due = t0 + i * intervalMs;
          let now = performance.now();
          if (due > now) {
            watched.requestStartedAt = NaN; // not waiting for the server while idle
            await new Promise((resolve) => setTimeout(resolve, Math.ceil(due - now)));
            now = performance.now();
          }
          // A timer may still wake a fraction of a millisecond early: then the request goes
          // out before its intended time, and its latency counts from when it actually did.
          sentAt = Math.min(due, now);
          watched.requestStartedAt = now;
        } else {
          watched.requestStartedAt = sentAt;
        }
        await socket.write(request);
        // A reply ends with a newline, with the server's close, or, when it is exactly the
        // expected text, with the read that brought it (servers that send no newline).
        got = 0;
        for (;;) {
          let chunk = await socket.read();
          if (chunk === null) {
            closed = true;
            break;
          }
          if (strayNewline) {
            strayNewline = false;
            if (chunk[0] === NEWLINE) {
              chunk = chunk.subarray(1);
              if (chunk.length === 0) continue;
            }
          }
          // What does not fit the buffer cannot be the expected reply: it is cut, and mismatches.
          const n = Math.min(chunk.length, buffer.length - got);
          buffer.set(chunk.subarray(0, n), got);
          got += n;
          if (buffer[got - 1] === NEWLINE || got === buffer.length) break;
          if (expected !== undefined && sameBytes(buffer, got, expected)) {
            strayNewline = true;
            break;
          }
        }
        if (got === 0) {
          fail(row, "reset", i + 1, "the server closed the connection without a reply");
          break;
        }
        const now = performance.now();
        const latency = now - sentAt;
        // Closed model: the next request goes out right away.
        sentAt = now;
        if (expected !== undefined) {
          const end = replyEnd(buffer, got);
          if (!sameBytes(buffer, end, expected)) {
            fail(row, "mismatch", i + 1, quoteBytes(buffer, end));
            continue;
          }
        }
        recordMs(histogram, latency);
        latencySum += latency;
        done++;
        countCompleted(now);
      }
    } catch (error) {
      const came = got > 0 ? `${quoteBytes(buffer, got)}, then ` : "";
      if (watched.expired) {
        fail(row, "timeout", i + 1, `${came || "nothing "}within ${formatDuration(timeoutMs)}`);
      } else fail(row, failureKind(error), i + 1, `${came}${describeLoss(error)}`);
    } finally {
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
      lastReplyAt: epoch(Math.max(lastReplyAt, firstSent)),
      connectedAt: epoch(connectedAt),
      endedAt: epoch(endedAt),
      completed: completed.slice(0, ((endedAt + tickOffset) | 0) + 1),
      completedFrom,
    },
  };
}
