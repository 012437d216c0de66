/**
 * The Web Worker of the timestamp client: one connection, one worker. It waits for the
 * greeting, then sends its events at absolute times (greeting time + the running sum of the
 * drawn intervals), so timer lateness never accumulates and a worker kept waiting by an
 * iterative server does not burst to catch up.
 *
 * @module
 */

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import { connectTcp, describeConnectError } from "../net/connect.ts";
import { type Distribution, drawSeconds } from "../stats/distribution.ts";
import { LineReader } from "../protocols/line_reader.ts";
import { createRng } from "../stats/rng.ts";
import { closeQuietly, writeAll } from "../server/session.ts";
import { timestampLine } from "../protocols/timestamp.ts";

/** What the parent tells a worker. */
export interface ClientWorkerStart {
  worker: number;
  host: string;
  port: number;
  events: number;
  dist: Distribution;
  seed: number;
  verbose: boolean;
  connectTimeoutMs: number;
}

/** What a worker reports: log lines as it goes, then its result. */
export type ClientWorkerMessage =
  | { type: "log"; line: string }
  | { type: "result"; result: ClientWorkerResult };

/** One worker's outcome. */
export interface ClientWorkerResult {
  worker: number;
  sent: number;
  /** Milliseconds from the greeting to the last event. */
  activeMs: number;
  /** Milliseconds between consecutive sends, the first measured from the greeting. */
  sumIntervalsMs: number;
  error?: string;
}

const encoder = new TextEncoder();

/** A per-worker seed, so workers draw different but reproducible sequences. */
export function workerSeed(seed: number, worker: number): number {
  return (seed ^ Math.imul(worker, 0x9e3779b1)) >>> 0;
}

async function runWorker(start: ClientWorkerStart): Promise<ClientWorkerResult> {
  const result: ClientWorkerResult = {
    worker: start.worker,
    sent: 0,
    activeMs: 0,
    sumIntervalsMs: 0,
  };
  const log = (line: string) =>
    self.postMessage({ type: "log", line } satisfies ClientWorkerMessage);
  let conn: Deno.TcpConn;
  try {
    conn = await connectTcp(start.host, start.port, start.connectTimeoutMs);
  } catch (error) {
    result.error = describeConnectError(error, start.host, start.port);
    return result;
  }
  try {
    const greeting = await new LineReader(conn).readLine();
    if (greeting === null) throw new Deno.errors.ConnectionReset("closed before the greeting");
    if (start.verbose) log(`[Worker ${start.worker}] Connected. Server says: ${greeting}`);
    const rng = createRng(workerSeed(start.seed, start.worker));
    const t0 = performance.now();
    let due = t0;
    let last = t0;
    for (let event = 1; event <= start.events; event++) {
      due += drawSeconds(start.dist, rng) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const line = timestampLine(start.worker, event, Date.now());
      await writeAll(conn, encoder.encode(line + "\n"));
      const now = performance.now();
      result.sumIntervalsMs += now - last;
      last = now;
      result.sent++;
      if (start.verbose) log(`[Worker ${start.worker}] Sending: ${line}`);
    }
    result.activeMs = last - t0;
    if (start.verbose) log(`[Worker ${start.worker}] Task completed and connection closed.`);
  } catch (error) {
    result.error = describeConnectError(error, start.host, start.port);
  } finally {
    closeQuietly(conn);
  }
  return result;
}

self.onmessage = async (event: MessageEvent<ClientWorkerStart>) => {
  const result = await runWorker(event.data);
  self.postMessage({ type: "result", result } satisfies ClientWorkerMessage);
};
