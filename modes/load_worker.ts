/**
 * The Web Worker of `bench scale`'s load generator. Each worker drives its share of the
 * connections: connects them (at most `pace` connecting at once, so a short listen backlog
 * does not distort the figures), runs `requests` round trips of a `size`-byte line on each,
 * checks every reply, records latency in its own HDR histogram and counts failures by kind.
 * It reports once at the end; the parent merges the histograms once.
 *
 * @module
 */

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import { emptyFailures, type FailureCounts } from "../lib/bench_result.ts";
import { connectTcp, failureKind } from "../lib/connect.ts";
import { createLatencyHistogram, encodeHistogram, recordMs } from "../lib/histogram.ts";
import { closeQuietly, writeAll } from "../lib/session.ts";

/** What a load worker is asked to do. */
export interface LoadWorkerStart {
  host: string;
  port: number;
  /** Connection numbers this worker drives (for the per-connection rows). */
  first: number;
  count: number;
  requests: number;
  size: number;
  /** What a correct reply is: the line reversed (task server), echoed, or anything. */
  expect: "reverse" | "echo" | "any";
  /** At most this many connects in flight. */
  pace: number;
  timeoutMs: number;
  /** Open model: requests per second per connection, latency from the intended send time. */
  rate?: number;
}

/** One connection's outcome. */
export interface LoadConnectionResult {
  conn: number;
  requests: number;
  bytes: number;
  durationMs: number;
  meanResponseMs: number;
  failures: number;
}

/** A load worker's report. */
export interface LoadWorkerResult {
  connections: LoadConnectionResult[];
  histogram: string;
  failures: FailureCounts;
  requests: number;
  bytes: number;
}

/** The request line (without newline) for a payload size: no `|`, so the task server reverses it. */
export function payloadFor(size: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  let text = "";
  for (let i = 0; i < size; i++) text += alphabet[i % alphabet.length];
  return text;
}

function replyMatches(got: Uint8Array, expected: Uint8Array | undefined): boolean {
  if (expected === undefined) return got[got.length - 1] === 0x0a;
  if (got.length !== expected.length) return false;
  for (let i = 0; i < got.length; i++) if (got[i] !== expected[i]) return false;
  return true;
}

async function runLoad(start: LoadWorkerStart): Promise<LoadWorkerResult> {
  const encoder = new TextEncoder();
  const payload = payloadFor(start.size);
  const request = encoder.encode(payload + "\n");
  const expected = start.expect === "any"
    ? undefined
    : encoder.encode((start.expect === "echo" ? payload : [...payload].reverse().join("")) + "\n");
  const replyLength = expected?.length ?? request.length;
  const histogram = createLatencyHistogram();
  const failures = emptyFailures();
  const result: LoadWorkerResult = {
    connections: [],
    histogram: "",
    failures,
    requests: 0,
    bytes: 0,
  };

  let connecting = 0;
  const waiters: (() => void)[] = [];
  const acquire = async () => {
    while (connecting >= start.pace) await new Promise<void>((resolve) => waiters.push(resolve));
    connecting++;
  };
  const release = () => {
    connecting--;
    waiters.shift()?.();
  };

  const one = async (conn: number): Promise<void> => {
    const row: LoadConnectionResult = {
      conn,
      requests: 0,
      bytes: 0,
      durationMs: 0,
      meanResponseMs: 0,
      failures: 0,
    };
    result.connections.push(row);
    const begin = performance.now();
    let socket: Deno.TcpConn;
    await acquire();
    try {
      socket = await connectTcp(start.host, start.port, start.timeoutMs);
    } catch (error) {
      failures[failureKind(error)]++;
      row.failures++;
      return;
    } finally {
      release();
    }
    const buffer = new Uint8Array(Math.max(4096, replyLength));
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let latencySum = 0;
    const intervalMs = start.rate ? 1000 / start.rate : 0;
    const t0 = performance.now();
    try {
      for (let i = 0; i < start.requests; i++) {
        let sentAt = performance.now();
        if (intervalMs > 0) {
          const due = t0 + i * intervalMs;
          if (due > sentAt) await new Promise((resolve) => setTimeout(resolve, due - sentAt));
          sentAt = due;
        }
        timer = setTimeout(() => {
          timedOut = true;
          closeQuietly(socket);
        }, start.timeoutMs);
        await writeAll(socket, request);
        let got = 0;
        while (got < replyLength) {
          const n = await socket.read(buffer.subarray(got));
          if (n === null) throw new Deno.errors.ConnectionReset("closed by the server");
          got += n;
          if (expected === undefined && buffer[got - 1] === 0x0a) break;
        }
        clearTimeout(timer);
        const latency = performance.now() - sentAt;
        if (!replyMatches(buffer.subarray(0, got), expected)) {
          failures.mismatch++;
          row.failures++;
          continue;
        }
        recordMs(histogram, latency);
        latencySum += latency;
        row.requests++;
        row.bytes += request.length;
      }
    } catch (error) {
      failures[timedOut ? "timeout" : failureKind(error)]++;
      row.failures++;
    } finally {
      clearTimeout(timer);
      closeQuietly(socket);
    }
    row.durationMs = performance.now() - begin;
    row.meanResponseMs = row.requests ? latencySum / row.requests : 0;
    result.requests += row.requests;
    result.bytes += row.bytes;
  };

  await Promise.all(Array.from({ length: start.count }, (_, i) => one(start.first + i)));
  result.histogram = encodeHistogram(histogram);
  return result;
}

self.onmessage = async (event: MessageEvent<LoadWorkerStart>) => {
  self.postMessage(await runLoad(event.data));
};
