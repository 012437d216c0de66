/**
 * The timestamp client's closing summary: events sent against planned, failures, elapsed
 * time, what connecting took, and the observed mean inter-event time against the distribution's.
 *
 * @module
 */

import { formatMs } from "../cli/units.ts";
import { describeDistribution, type Distribution, meanSeconds } from "../stats/distribution.ts";
import type { ClientWorkerResult } from "./client_worker.ts";
import type { LatencySummary } from "../stats/histogram.ts";

/** `1 worker`, `2 workers`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** What the summary reports on. */
export interface SummaryInput {
  workers: number;
  events: number;
  dist: Distribution;
  seed: number;
  seedGiven: boolean;
  results: readonly ClientWorkerResult[];
  /** From the start until every Web Worker met on the barrier (or the interrupt). */
  startingMs: number;
  /** From the meeting until the last logical worker finished (or the interrupt). */
  runningMs: number;
  /** How late events went out against their due times. */
  lateness: LatencySummary;
  elapsedMs: number;
}

/** The client's closing summary. */
export function formatClientSummary(input: SummaryInput): string {
  const { results } = input;
  const sent = results.reduce((n, r) => n + r.sent, 0);
  const failed = results.filter((r) => r.error).length;
  const interrupted = results.filter((r) => r.interrupted).length;
  // An interrupted worker's intervals never reached the parent: its events are left out.
  const finished = results.filter((r) => !r.interrupted);
  const intervals = finished.reduce((sum, r) => sum + r.sumIntervalsMs, 0);
  const timed = finished.reduce((n, r) => n + r.sent, 0);
  const observed = timed > 0 ? formatMs(intervals / timed) + " ms" : "n/a (nothing sent)";
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  // The phases are consecutive spans of the elapsed time; the last is what is left of it.
  const endingMs = Math.max(0, input.elapsedMs - input.startingMs - input.runningMs);
  return [
    `Events sent: ${sent} of ${input.workers * input.events} (${
      plural(input.workers, "worker")
    } x ${plural(input.events, "event")})${failed ? `, ${plural(failed, "worker")} failed` : ""}${
      interrupted ? `, interrupted with ${plural(interrupted, "worker")} still sending` : ""
    }`,
    `Elapsed: ${seconds(input.elapsedMs)} s = starting ${seconds(input.startingMs)} s + running ${
      seconds(input.runningMs)
    } s + ending ${seconds(endingMs)} s`,
    `  starting: the client's threads loading, until all of them met to begin together`,
    `  running: every worker connecting, reading its greeting and sending its events, until the last closed${
      interrupted ? " (or the interrupt)" : ""
    }; the slowest connect and greeting took ${
      seconds(Math.max(0, ...results.map((r) => r.greetedMs)))
    } s, the slowest sending (greeting to last event) ${
      seconds(Math.max(0, ...results.map((r) => r.activeMs)))
    } s`,
    `  ending: the client's threads stopping`,
    `Inter-event time: observed mean ${observed}, theoretical mean ${
      formatMs(meanSeconds(input.dist) * 1000)
    } ms (${describeDistribution(input.dist)})`,
    `Schedule: events went out a median ${
      formatMs(input.lateness.p50Ms)
    } ms after their due time (p99 ${formatMs(input.lateness.p99Ms)} ms, max ${
      formatMs(input.lateness.maxMs)
    } ms)`,
    `Seed: ${input.seed}${input.seedGiven ? "" : " (random; repeat the draws with --seed)"}`,
  ].join("\n");
}
