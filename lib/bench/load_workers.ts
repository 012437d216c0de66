/**
 * Running the load generator over several Web Workers and merging their reports into one
 * outcome: connections split evenly, failures and totals summed, histograms merged once,
 * the elapsed time and the request-phase rate taken over all workers.
 *
 * @module
 */

import {
  type FailureCounts,
  type FailureExamples,
  firstExamples,
  type RequestPhase,
  sumFailures,
} from "./bench_result.ts";
import type { LoadConnectionResult, LoadWorkerResult, LoadWorkerStart } from "./load_generator.ts";
import { runWorker } from "../cli/run_worker.ts";
import { STALL_MS, StartBarrier } from "../client/start_barrier.ts";
import { decodeHistogram, type LatencyHistogram, mergeHistograms } from "../stats/histogram.ts";

/** One load: `connections` connections, each doing the plan's requests. */
export interface LoadPlan extends Omit<LoadWorkerStart, "first" | "count" | "barrier" | "workers"> {
  connections: number;
}

/** What the workers of one load measured together. */
export interface LoadOutcome {
  /** One row per connection, numbered from 1. */
  rows: LoadConnectionResult[];
  histogram: LatencyHistogram;
  failures: FailureCounts;
  /** The first failure of each kind, connections in order. */
  examples: FailureExamples;
  requests: number;
  bytes: number;
  /** From the first worker's start to the last worker's end. */
  elapsedMs: number;
  /** Over the request phase, or over the elapsed time when that phase is empty. */
  requestsPerSec: number;
  /** From the first worker's first request to the last worker's last correct reply. */
  requestPhase: RequestPhase;
}

const LOAD_WORKER_URL = new URL("./load_worker.ts", import.meta.url);

/**
 * Runs `plan` on `workers` Web Workers (at most one per connection), which begin together; an
 * abort, or one worker's failure, ends them all.
 */
export async function runLoadWorkers(
  plan: LoadPlan,
  workers: number,
  signal?: AbortSignal,
): Promise<LoadOutcome> {
  const { connections, ...start } = plan;
  const count = Math.min(workers, connections);
  const barrier = new StartBarrier();
  const ended = new AbortController();
  // The others would wait for a failed worker at the barrier, or go on loading the server.
  const stop = signal ? AbortSignal.any([signal, ended.signal]) : ended.signal;
  const running = Promise.all(Array.from({ length: count }, (_, w) => {
    const first = Math.floor((connections * w) / count);
    const next = Math.floor((connections * (w + 1)) / count);
    const share: LoadWorkerStart = {
      ...start,
      first: first + 1,
      count: next - first,
      barrier: barrier.buffer,
      workers: count,
    };
    return runWorker<LoadWorkerResult>(LOAD_WORKER_URL, share, { signal: stop });
  }));
  barrier.gather(connections, STALL_MS, ended.signal).then(() => barrier.release(Date.now()));
  try {
    return mergeLoadResults(await running);
  } finally {
    ended.abort();
  }
}

/** The workers' reports as one outcome. */
export function mergeLoadResults(results: readonly LoadWorkerResult[]): LoadOutcome {
  const rows: LoadConnectionResult[] = [];
  let requests = 0, bytes = 0;
  for (const r of results) {
    requests += r.requests;
    bytes += r.bytes;
    rows.push(...r.connections);
  }
  rows.sort((a, b) => a.conn - b.conn);
  const elapsedMs = results.length === 0 ? 0 : Math.max(...results.map((r) => r.timing.endedAt)) -
    Math.min(...results.map((r) => r.timing.startedAt));
  return {
    rows,
    histogram: mergeHistograms(results.map((r) => decodeHistogram(r.histogram))),
    failures: sumFailures(results.map((r) => r.failures)),
    examples: firstExamples(results.map((r) => r.examples)),
    requests,
    bytes,
    elapsedMs,
    requestPhase: {
      start: Math.min(...results.map((r) => r.timing.firstRequestAt)),
      end: Math.max(...results.map((r) => r.timing.lastReplyAt)),
    },
    requestsPerSec: requestPhaseRate(results) ??
      (elapsedMs > 0 ? requests / (elapsedMs / 1000) : 0),
  };
}

/**
 * Requests per second over the request phase, the way `ldgen -P` rates its run: the requests
 * answered after the start barrier released every worker (every connection's first round trip
 * came back, or failed), over the time from then to the last reply. Undefined when that phase
 * is empty (no connection, or every request answered before the release), for the caller to
 * fall back to its own window.
 */
export function requestPhaseRate(results: readonly LoadWorkerResult[]): number | undefined {
  if (results.length === 0) return undefined;
  const from = Math.ceil(Math.max(...results.map((r) => r.timing.connectedAt)));
  const to = Math.max(...results.map((r) => r.timing.endedAt));
  let requests = 0;
  for (const { timing } of results) {
    for (let i = Math.max(0, from - timing.completedFrom); i < timing.completed.length; i++) {
      requests += timing.completed[i];
    }
  }
  return requests > 0 && to > from ? requests / ((to - from) / 1000) : undefined;
}
