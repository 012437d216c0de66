/**
 * The result of `bench arrivals` as plain data (written to JSON and read back unchanged), and
 * the pure reduction of its runs to cells: a cell's runs pooled, then judged against theory.
 *
 * @module
 */

import type { RunRecord } from "./bench_result.ts";
import type { LatencySummary } from "../stats/histogram.ts";
import {
  type ConnectionFit,
  type DataFit,
  fitConnectionGaps,
  fitDataGaps,
  theoryOf,
} from "./arrival_verdict.ts";
import type { Distribution } from "../stats/distribution.ts";

/** A distribution of gaps as the server's `--json` summary gives it, in milliseconds. */
export interface GapStats {
  count: number;
  meanMs: number;
  medianMs: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  cv: number;
}

/** One run of a cell: both sides' figures. */
export interface ArrivalsMeasurement {
  target: string;
  /** As `--dists` named it: `e:1`. */
  dist: string;
  workers: number;
  run: number;
  seed: number;
  client: {
    sent: number;
    expected: number;
    /** Workers that failed, and the first one's error. */
    failed: number;
    firstError: string | null;
    /** The client's own mean time between its sends. */
    meanIntervalMs: number;
    /** Each worker's time from its greeting to its last event. */
    activeMs: number[];
    /** The slowest worker's connect and greeting. */
    connectMs: number;
    /** How late events went out against their due times. */
    lateness: LatencySummary;
  };
  /** Null for an external server, whose gaps cannot be read. */
  server: {
    connections: number;
    messages: number;
    connection: GapStats | null;
    data: GapStats | null;
    /** Every gap, in the order the server's CSV lists them. */
    connectionGapsMs: number[];
    /**
     * Each connection's life (open to close) in the order the server accepted them: the one
     * before `connectionGapsMs[i]` is `connectionLivesMs[i]`.
     */
    connectionLivesMs: number[];
    dataGapsMs: number[];
  } | null;
}

/** A cell (target × distribution × workers) over its runs, against theory. */
export interface ArrivalsCell {
  target: string;
  dist: string;
  workers: number;
  runs: number;
  /** The distribution `dist` names. */
  distribution: Distribution;
  theory: { meanMs: number; cv: number };
  sent: number;
  expected: number;
  /** The client's own mean interval, over its runs. */
  clientMeanIntervalMs: number;
  /** How late the client's events went out against their due times: the worst run's p99. */
  latenessP99Ms: number;
  /** The server's data gaps against the drawn distribution; null without two of them. */
  data: DataFit | null;
  /** The server's connection gaps against how they should have come; null without one. */
  connections: ConnectionFit | null;
}

/** Every setting of an arrivals run, defaults included. */
export type ArrivalsSettings = {
  targets: string[];
  dists: string[];
  workers: number[];
  events: number;
  runs: number;
  seed: number;
  clientIo: string;
  serverWorkers: number;
  timeoutMs: number;
  /** What could be measured: both sides, or the client's alone against an external server. */
  measured: string;
};

/** Result of `bench arrivals`. */
export interface ArrivalsResult extends RunRecord {
  kind: "arrivals";
  settings: ArrivalsSettings;
  measurements: ArrivalsMeasurement[];
  cells: ArrivalsCell[];
}

/** The key of a measurement's cell. */
export function cellKey(m: Pick<ArrivalsMeasurement, "target" | "dist" | "workers">): string {
  return `${m.target} ${m.dist} ${m.workers}`;
}

/**
 * Groups runs into cells, in the order they were measured, pools each cell's gaps and judges
 * them: `dists` gives each distribution by its name, `oneAtATime` whether a target serves one
 * connection at a time.
 */
export function summarizeArrivals(
  measurements: readonly ArrivalsMeasurement[],
  dists: Record<string, Distribution>,
  oneAtATime: Record<string, boolean>,
): ArrivalsCell[] {
  const groups = new Map<string, ArrivalsMeasurement[]>();
  for (const m of measurements) {
    const group = groups.get(cellKey(m));
    if (group) group.push(m);
    else groups.set(cellKey(m), [m]);
  }
  return [...groups.values()].map((runs) => {
    const { target, dist, workers } = runs[0];
    const servers = runs.flatMap((r) => r.server ? [r.server] : []);
    const sent = runs.reduce((n, r) => n + r.client.sent, 0);
    const intervals = runs.reduce((s, r) => s + r.client.meanIntervalMs * r.client.sent, 0);
    const queued = oneAtATime[target] ?? false;
    return {
      target,
      dist,
      workers,
      runs: runs.length,
      distribution: dists[dist],
      theory: theoryOf(dists[dist]),
      sent,
      expected: runs.reduce((n, r) => n + r.client.expected, 0),
      clientMeanIntervalMs: sent > 0 ? intervals / sent : NaN,
      latenessP99Ms: Math.max(...runs.map((r) => r.client.lateness.p99Ms)),
      data: servers.length > 0
        ? fitDataGaps(servers.flatMap((s) => s.dataGapsMs), dists[dist], queued) ?? null
        : null,
      connections: servers.length > 0
        ? fitConnectionGaps(
          servers.flatMap((s) => s.connectionGapsMs),
          // The last connection accepted makes no gap.
          servers.flatMap((s) => s.connectionLivesMs.slice(0, s.connectionGapsMs.length)),
          queued,
        ) ?? null
        : null,
    };
  });
}
