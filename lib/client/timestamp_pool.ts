/**
 * The timestamp client's logical workers spread over a few Web Workers: at most one per CPU,
 * since a logical worker spends its time waiting on timers and a Web Worker holds tens of
 * megabytes. They meet on a {@link StartBarrier} before their logical workers connect; each
 * logical worker's result reaches the parent as it finishes.
 *
 * @module
 */

import { runWorker } from "../cli/run_worker.ts";
import type {
  ClientWorkerMessage,
  ClientWorkerResult,
  ClientWorkerStart,
} from "./client_worker.ts";
import { StartBarrier } from "./start_barrier.ts";
import type { LatencySummary } from "../bench/bench_result.ts";
import { decodeHistogram, mergeHistograms, summarizeLatency } from "../stats/histogram.ts";

const WORKER_URL = new URL("./client_worker.ts", import.meta.url).href;

/** A run's settings: everything a Web Worker needs but its share of workers and the barrier. */
export type PoolSettings = Omit<ClientWorkerStart, "workers" | "barrier" | "threads"> & {
  workers: number;
};

/** What the run reports as it goes. */
export interface PoolHooks {
  log(line: string): void;
  /** A logical worker finished, well or not. */
  result(result: ClientWorkerResult): void;
}

/** How many Web Workers `workers` logical workers run on. */
export function threadsFor(workers: number): number {
  return Math.max(1, Math.min(workers, navigator.hardwareConcurrency || 1));
}

/** The logical workers (numbered from 1) of each of `threads` Web Workers, dealt round-robin. */
export function shareWorkers(workers: number, threads: number): number[][] {
  const shares: number[][] = Array.from({ length: threads }, () => []);
  for (let worker = 1; worker <= workers; worker++) shares[(worker - 1) % threads].push(worker);
  return shares;
}

/** What a run measured. */
export interface PoolRun {
  /** Every logical worker's result, in worker order. */
  results: ClientWorkerResult[];
  /** How late events went out against their due times. */
  lateness: LatencySummary;
}

/** Runs the logical workers. */
export async function runTimestampPool(settings: PoolSettings, hooks: PoolHooks): Promise<PoolRun> {
  const barrier = new StartBarrier();
  const results = new Map<number, ClientWorkerResult>();
  const accept = (message: unknown) => {
    const data = message as ClientWorkerMessage;
    if (data.type === "log") data.lines.forEach(hooks.log);
    else if (data.type === "result") {
      results.set(data.result.worker, data.result);
      hooks.result(data.result);
    } else return decodeHistogram(data.lateness);
  };
  // A Web Worker that fails may never reach the barrier: count it there so that the others
  // still start, and report its workers failed.
  const lose = (workers: number[], error: unknown) => {
    barrier.absent();
    for (const worker of workers.filter((worker) => !results.has(worker))) {
      const message = error instanceof Error ? error.message : String(error);
      const result = {
        worker,
        sent: 0,
        greetedMs: 0,
        activeMs: 0,
        sumIntervalsMs: 0,
        error: message,
      };
      results.set(worker, result);
      hooks.result(result);
    }
    return undefined;
  };
  const threads = threadsFor(settings.workers);
  const members = shareWorkers(settings.workers, threads).map((workers) =>
    runWorker(WORKER_URL, { ...settings, workers, barrier: barrier.buffer, threads }, { accept })
      .catch((error) => lose(workers, error))
  );
  const lateness = (await Promise.all(members)).filter((h) => h !== undefined);
  return {
    results: [...results.values()].sort((a, b) => a.worker - b.worker),
    lateness: summarizeLatency(mergeHistograms(lateness)),
  };
}
