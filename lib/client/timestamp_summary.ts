/**
 * The timestamp client's closing summary: events sent against planned, failures, elapsed
 * time, what connecting took, and the observed mean inter-event time against the distribution's.
 *
 * @module
 */

import { formatMs } from "../cli/units.ts";
import { describeDistribution, type Distribution, meanSeconds } from "../stats/distribution.ts";
import type { ClientWorkerResult } from "./client_worker.ts";
import type { LatencySummary } from "../bench/bench_result.ts";

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
  /** How late events went out against their due times. */
  lateness: LatencySummary;
  elapsedMs: number;
}

/** The client's closing summary. */
export function formatClientSummary(input: SummaryInput): string {
  const { results } = input;
  const sent = results.reduce((n, r) => n + r.sent, 0);
  const failed = results.filter((r) => r.error).length;
  const intervals = results.reduce((sum, r) => sum + r.sumIntervalsMs, 0);
  const observed = sent > 0 ? formatMs(intervals / sent) + " ms" : "n/a (nothing sent)";
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  return [
    `Events sent: ${sent} of ${input.workers * input.events} (${
      plural(input.workers, "worker")
    } x ${plural(input.events, "event")})${failed ? `, ${plural(failed, "worker")} failed` : ""}`,
    `Elapsed: ${seconds(input.elapsedMs)} s, of which connecting and greetings ${
      seconds(Math.max(0, ...results.map((r) => r.greetedMs)))
    } s (slowest worker; each starts at its greeting), sending (greeting to last event, slowest worker): ${
      seconds(Math.max(0, ...results.map((r) => r.activeMs)))
    } s`,
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
