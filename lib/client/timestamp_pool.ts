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
import type { LatencySummary } from "../stats/histogram.ts";
import { decodeHistogram, mergeHistograms, summarizeLatency } from "../stats/histogram.ts";

const WORKER_URL = new URL("./client_worker.ts", import.meta.url).href;

/** A run's settings: everything a Web Worker needs but its share of workers and the barrier. */
export type PoolSettings = Omit<ClientWorkerStart, "workers" | "barrier" | "threads" | "sent"> & {
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
  /** From the start until every Web Worker met on the barrier (or the interrupt). */
  startingMs: number;
  /** From the meeting until the last logical worker finished (or the interrupt). */
  runningMs: number;
  /** How late events went out against their due times. */
  lateness: LatencySummary;
  /** Whether `signal` ended the run: the workers not finished then are marked interrupted. */
  interrupted: boolean;
}

/**
 * Runs the logical workers. An abort of `signal` ends the Web Workers at once; the logical
 * workers not finished by then are reported interrupted, with the events they had sent.
 */
export async function runTimestampPool(
  settings: PoolSettings,
  hooks: PoolHooks,
  signal?: AbortSignal,
): Promise<PoolRun> {
  const barrier = new StartBarrier();
  const sent = new SharedArrayBuffer(4 * settings.workers);
  const sentCounts = new Int32Array(sent);
  const results = new Map<number, ClientWorkerResult>();
  let lastResultAt = 0;
  const add = (result: ClientWorkerResult) => {
    results.set(result.worker, result);
    lastResultAt = performance.now();
    hooks.result(result);
  };
  const accept = (message: unknown) => {
    const data = message as ClientWorkerMessage;
    if (data.type === "log") data.lines.forEach(hooks.log);
    else if (data.type === "result") add(data.result);
    else return decodeHistogram(data.lateness);
  };
  const startedAt = performance.now();
  // A Web Worker that fails may never reach the barrier: count it there so that the others
  // still start, and report its workers failed, or interrupted if the run was.
  const lose = (workers: number[], error: unknown) => {
    barrier.absent();
    for (const worker of workers.filter((worker) => !results.has(worker))) {
      const result = { worker, sent: 0, greetedMs: 0, activeMs: 0, sumIntervalsMs: 0 };
      if (signal?.aborted) {
        add({ ...result, sent: Atomics.load(sentCounts, worker - 1), interrupted: true });
      } else add({ ...result, error: error instanceof Error ? error.message : String(error) });
    }
    return undefined;
  };
  const threads = threadsFor(settings.workers);
  const members = shareWorkers(settings.workers, threads).map((workers) =>
    runWorker(WORKER_URL, { ...settings, workers, barrier: barrier.buffer, threads, sent }, {
      accept,
      signal,
    }).catch((error) => lose(workers, error))
  );
  await barrier.met(threads, signal);
  const metAt = performance.now();
  const lateness = (await Promise.all(members)).filter((h) => h !== undefined);
  return {
    results: [...results.values()].sort((a, b) => a.worker - b.worker),
    startingMs: metAt - startedAt,
    runningMs: Math.max(0, lastResultAt - metAt),
    lateness: summarizeLatency(mergeHistograms(lateness)),
    interrupted: signal?.aborted ?? false,
  };
}
