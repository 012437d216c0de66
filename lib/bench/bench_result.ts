/**
 * Result types shared by the `bench` harness and its reporters, plus the pure
 * reductions over them (median per sweep cell, failure tallies, per-connection means).
 *
 * Everything here is plain data so a result can be written to JSON and read
 * back unchanged, and so reporters never need to re-run or re-measure.
 *
 * @module
 */

import type { FailureKind } from "../net/connect.ts";
import type { LatencySummary } from "../stats/histogram.ts";
import { summarize } from "../stats/stats.ts";
import type { ArrivalsResult } from "./arrivals_result.ts";

/** Failure tally by kind. */
export type FailureCounts = Record<FailureKind, number>;

/** Every failure kind, in the order reports list them. */
export const FAILURE_KINDS: readonly FailureKind[] = ["connect", "reset", "timeout", "mismatch"];

/** How reports name each kind. */
export const FAILURE_LABELS: Readonly<Record<FailureKind, string>> = {
  connect: "connect",
  reset: "reset",
  timeout: "timeout",
  mismatch: "wrong reply",
};

/** The non-zero kinds of a tally: `reset 1, wrong reply 2`. */
export function failureKindsText(counts: FailureCounts): string {
  return FAILURE_KINDS.filter((k) => counts[k] > 0).map((k) => `${FAILURE_LABELS[k]} ${counts[k]}`)
    .join(", ");
}

/** One failure as it happened: what the generator waited for and what came instead. */
export interface FailureExample {
  /** The connection's number within its step. */
  conn: number;
  /** The request's number on its connection, from 1; 0 for the connect. */
  request: number;
  expected: string;
  got: string;
}

/** The first failure of each kind that happened. */
export type FailureExamples = Partial<Record<FailureKind, FailureExample>>;

/** One sweep run: `clients` concurrent clients against a server in `mode`. */
export interface SweepMeasurement {
  mode: string;
  clients: number;
  run: number;
  /**
   * Until the last reply; null when a request failed, since the time then measures the
   * failure (a timeout, a wrong reply) rather than the server's work.
   */
  totalMs: number | null;
  failures: FailureCounts;
  examples: FailureExamples;
}

/**
 * All runs of one mode × client count, reduced to median, min and max over the runs with a
 * time; null where no run had one.
 */
export interface SweepCell {
  mode: string;
  clients: number;
  runs: number;
  medianMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  failures: FailureCounts;
}

/** One connection of a scale step (the reference client's per-thread line). */
export interface ScaleConnectionRow {
  target: string;
  connections: number;
  conn: number;
  requests: number;
  bytes: number;
  durationMs: number;
  meanResponseMs: number;
  failures: number;
}

/** Epoch milliseconds from the first request sent to the last correct reply. */
export interface RequestPhase {
  start: number;
  end: number;
}

/** One scale step (target × connection count): the reference's overall table row and more. */
export interface ScaleSummary {
  target: string;
  connections: number;
  requests: number;
  bytes: number;
  meanDurationMs: number;
  meanResponseMs: number;
  latency: LatencySummary;
  elapsedMs: number;
  requestsPerSec: number;
  failures: FailureCounts;
  examples: FailureExamples;
  /** The latency histogram, encoded (see `encodeHistogram`), for exact merges across hosts. */
  histogram: string;
  requestPhase: RequestPhase;
}

/** Where a run was made and how it was started, so that it can be made again. */
export interface RunEnvironment {
  socklab: string;
  deno: string;
  v8: string;
  typescript: string;
  /** Operating system and architecture: `linux x86_64`. */
  os: string;
  kernel: string;
  cpuModel: string;
  cpuCount: number;
  host: string;
  /** The open-file limit the run had; null where it cannot be read. */
  fdLimit: { soft: number; hard: number } | null;
  /** The command, quoted for a POSIX shell. */
  commandLine: string;
}

/** When a run happened, where, and whether it ran to the end. */
export interface RunRecord {
  /** ISO times: before the first measurement, after the last. */
  startedAt: string;
  endedAt: string;
  environment: RunEnvironment;
  /** The signal that ended the run early: its results are those measured before it. */
  interrupted?: string;
}

/** Every setting of a sweep, defaults included. */
export type SweepSettings = {
  targets: string[];
  clients: number[];
  runs: number;
  /** The reply delay of the servers bench starts; null for an external server's, unknown. */
  delayMs: number | null;
  request: string;
  /** The load generator's transport. */
  clientIo: string;
  clientWorkers: number;
  timeoutMs: number;
  serverWorkers: number;
};

/** Every setting of a scale run, defaults included; `rate` null is the closed model. */
export type ScaleSettings = {
  targets: string[];
  /** As requested, skipped counts included. */
  connections: number[];
  requests: number;
  size: number;
  expect: string;
  pace: number;
  rate: number | null;
  clientWorkers: number;
  /** The load generator's transport. */
  clientIo: string;
  serverWorkers: number;
  timeoutMs: number;
};

/** A connection count the run could not reach, and why. */
export interface SkippedCount {
  connections: number;
  reason: string;
}

/** Result of `bench sweep`. */
export interface SweepResult extends RunRecord {
  kind: "sweep";
  settings: SweepSettings;
  /** Why the sweep stopped before its last cell, when it did (not interrupted). */
  stopped?: string;
  measurements: SweepMeasurement[];
  cells: SweepCell[];
}

/** One of the runs a merged scale result was made from. */
export interface ScaleSource extends RunRecord {
  /** The file it was read from. */
  name: string;
  settings: ScaleSettings;
  summaries: ScaleSummary[];
}

/** Result of `bench scale`, or of `bench merge` over several of them. */
export interface ScaleResult extends RunRecord {
  kind: "scale";
  settings: ScaleSettings;
  /** Counts skipped for every target. */
  skipped: SkippedCount[];
  connections: ScaleConnectionRow[];
  summaries: ScaleSummary[];
  /** The runs `bench merge` combined, in the order given; absent for a single run. */
  sources?: ScaleSource[];
}

/** Any bench result; `kind` tells them apart. */
export type BenchResult = SweepResult | ScaleResult | ArrivalsResult;

/** A failure tally with every kind at zero. */
export function emptyFailures(): FailureCounts {
  return { connect: 0, reset: 0, timeout: 0, mismatch: 0 };
}

/** Sum of all kinds in a failure tally. */
export function totalFailures(counts: FailureCounts): number {
  return FAILURE_KINDS.reduce((sum, kind) => sum + counts[kind], 0);
}

/** The tallies added up, kind by kind. */
export function sumFailures(tallies: readonly FailureCounts[]): FailureCounts {
  const sum = emptyFailures();
  for (const counts of tallies) for (const kind of FAILURE_KINDS) sum[kind] += counts[kind];
  return sum;
}

/** The first example of each kind over `list`, in its order. */
export function firstExamples(list: readonly FailureExamples[]): FailureExamples {
  const first: FailureExamples = {};
  for (const examples of list) {
    for (const kind of FAILURE_KINDS) {
      const example = examples[kind];
      if (example && !first[kind]) first[kind] = example;
    }
  }
  return first;
}

/**
 * The reference's per-connection means: total duration over all connections, response time
 * over those that got at least one reply.
 */
export function connectionMeans(
  rows: readonly ScaleConnectionRow[],
): { meanDurationMs: number; meanResponseMs: number } {
  const mean = (xs: number[]) => xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
  return {
    meanDurationMs: mean(rows.map((r) => r.durationMs)),
    meanResponseMs: mean(rows.filter((r) => r.requests > 0).map((r) => r.meanResponseMs)),
  };
}

/**
 * Groups sweep runs by mode × client count and reduces each group to one cell.
 *
 * Cells come out with modes in the order they were first measured (the order the
 * user chose with `--modes`) and client counts ascending, so tables and charts
 * read the same way whatever order the runs were interleaved in.
 */
export function summarizeSweep(measurements: readonly SweepMeasurement[]): SweepCell[] {
  const modeOrder: string[] = [];
  const groups = new Map<string, Map<number, SweepMeasurement[]>>();
  for (const m of measurements) {
    let byClients = groups.get(m.mode);
    if (!byClients) {
      byClients = new Map();
      groups.set(m.mode, byClients);
      modeOrder.push(m.mode);
    }
    const runs = byClients.get(m.clients);
    if (runs) runs.push(m);
    else byClients.set(m.clients, [m]);
  }
  const cells: SweepCell[] = [];
  for (const mode of modeOrder) {
    const byClients = groups.get(mode)!;
    for (const clients of [...byClients.keys()].sort((a, b) => a - b)) {
      const runs = byClients.get(clients)!;
      const timed = runs.flatMap((r) => r.totalMs ?? []);
      const times = timed.length > 0 ? summarize(timed) : undefined;
      cells.push({
        mode,
        clients,
        runs: runs.length,
        medianMs: times?.median ?? null,
        minMs: times?.min ?? null,
        maxMs: times?.max ?? null,
        failures: sumFailures(runs.map((r) => r.failures)),
      });
    }
  }
  return cells;
}
