/**
 * CSV renderings of bench results: one file with a row per measurement and one
 * with a row per summary, each with a snake_case header row.
 *
 * Values stay in raw units (milliseconds, bytes) and full numeric form so a
 * spreadsheet or script can recompute anything; only float noise below a
 * microsecond is rounded away.
 *
 * @module
 */

import { stringify } from "csv-stringify";
import type {
  BenchResult,
  FailureCounts,
  ScaleResult,
  ScaleSummary,
  SweepResult,
} from "../bench/bench_result.ts";
import { FAILURE_KINDS } from "../bench/bench_result.ts";
import type { ArrivalsResult, GapStats } from "../bench/arrivals_result.ts";

type Row = Record<string, string | number>;

/** Rounds to 3 decimals (µs for ms values), leaving integers untouched; null is left empty. */
function r3(x: number | null): number | string {
  if (x === null) return "";
  return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x;
}

const FAILURE_COLUMNS = FAILURE_KINDS.map((kind) => `failures_${kind}`);

/** `failures_<kind>` columns of a tally. */
function failureFields(counts: FailureCounts): Row {
  return Object.fromEntries(FAILURE_KINDS.map((kind) => [`failures_${kind}`, counts[kind]]));
}

function toCsv(columns: readonly string[], rows: readonly Row[]): string {
  return stringify(rows as Row[], { header: true, columns: [...columns] });
}

/** Column names of `sweep_measurements.csv`. */
export const SWEEP_MEASUREMENT_COLUMNS = [
  "mode",
  "clients",
  "run",
  "total_ms",
  ...FAILURE_COLUMNS,
] as const;

/** Column names of `sweep_summary.csv`. */
export const SWEEP_SUMMARY_COLUMNS = [
  "mode",
  "clients",
  "runs",
  "median_ms",
  "min_ms",
  "max_ms",
  ...FAILURE_COLUMNS,
] as const;

/** Column names of `scale_connections.csv`. */
export const SCALE_CONNECTION_COLUMNS = [
  "target",
  "connections",
  "conn",
  "requests",
  "bytes",
  "duration_ms",
  "mean_response_ms",
  "failures",
] as const;

/** Column names of `scale_summary.csv`. */
export const SCALE_SUMMARY_COLUMNS = [
  "target",
  "connections",
  "requests",
  "bytes",
  "mean_duration_ms",
  "mean_response_ms",
  "p50_ms",
  "p90_ms",
  "p99_ms",
  "p999_ms",
  "max_ms",
  "requests_per_sec",
  "elapsed_ms",
  ...FAILURE_COLUMNS,
] as const;

/** Column names of `scale_sources.csv` (merged results only). */
export const SCALE_SOURCE_COLUMNS = [
  "source",
  "host",
  ...SCALE_SUMMARY_COLUMNS,
  "request_phase_start_ms",
  "request_phase_end_ms",
] as const;

/** `measurements`: one row per run; `summary`: one row per mode × clients cell. */
export function sweepCsv(result: SweepResult): { measurements: string; summary: string } {
  const measurements = result.measurements.map((m) => ({
    mode: m.mode,
    clients: m.clients,
    run: m.run,
    total_ms: r3(m.totalMs),
    ...failureFields(m.failures),
  }));
  const summary = result.cells.map((c) => ({
    mode: c.mode,
    clients: c.clients,
    runs: c.runs,
    median_ms: r3(c.medianMs),
    min_ms: r3(c.minMs),
    max_ms: r3(c.maxMs),
    ...failureFields(c.failures),
  }));
  return {
    measurements: toCsv(SWEEP_MEASUREMENT_COLUMNS, measurements),
    summary: toCsv(SWEEP_SUMMARY_COLUMNS, summary),
  };
}

/**
 * `connections`: one row per connection; `summary`: one row per target × connection count;
 * `sources` (merged results): one row per source and step.
 */
export function scaleCsv(
  result: ScaleResult,
): { connections: string; summary: string; sources?: string } {
  const connections = result.connections.map((c) => ({
    target: c.target,
    connections: c.connections,
    conn: c.conn,
    requests: c.requests,
    bytes: c.bytes,
    duration_ms: r3(c.durationMs),
    mean_response_ms: r3(c.meanResponseMs),
    failures: c.failures,
  }));
  const summaryRow = (s: ScaleSummary) => ({
    target: s.target,
    connections: s.connections,
    requests: s.requests,
    bytes: s.bytes,
    mean_duration_ms: r3(s.meanDurationMs),
    mean_response_ms: r3(s.meanResponseMs),
    p50_ms: r3(s.latency.p50Ms),
    p90_ms: r3(s.latency.p90Ms),
    p99_ms: r3(s.latency.p99Ms),
    p999_ms: r3(s.latency.p999Ms),
    max_ms: r3(s.latency.maxMs),
    requests_per_sec: r3(s.requestsPerSec),
    elapsed_ms: r3(s.elapsedMs),
    ...failureFields(s.failures),
  });
  const sources = result.sources?.flatMap((source) =>
    source.summaries.map((s) => ({
      source: source.name,
      host: source.environment.host,
      ...summaryRow(s),
      request_phase_start_ms: r3(s.requestPhase.start),
      request_phase_end_ms: r3(s.requestPhase.end),
    }))
  );
  return {
    connections: toCsv(SCALE_CONNECTION_COLUMNS, connections),
    summary: toCsv(SCALE_SUMMARY_COLUMNS, result.summaries.map(summaryRow)),
    ...(sources ? { sources: toCsv(SCALE_SOURCE_COLUMNS, sources) } : {}),
  };
}

/** Column names of `arrivals_runs.csv`. */
export const ARRIVALS_RUN_COLUMNS = [
  "target",
  "dist",
  "workers",
  "run",
  "seed",
  "sent",
  "expected",
  "failed_workers",
  "client_mean_interval_ms",
  "connect_ms",
  "lateness_p50_ms",
  "lateness_p99_ms",
  "lateness_max_ms",
  "server_connections",
  "server_messages",
  ...["conn", "data"].flatMap((side) =>
    ["count", "mean_ms", "median_ms", "p95_ms", "p99_ms", "max_ms", "cv"].map((s) => `${side}_${s}`)
  ),
] as const;

/** Column names of `arrivals_summary.csv`. */
export const ARRIVALS_SUMMARY_COLUMNS = [
  "target",
  "dist",
  "workers",
  "runs",
  "sent",
  "expected",
  "client_mean_interval_ms",
  "lateness_p99_ms",
  "theory_mean_ms",
  "theory_cv",
  "data_count",
  "data_mean_ms",
  "data_ci_low_ms",
  "data_ci_high_ms",
  "data_cv",
  "data_median_ms",
  "data_p95_ms",
  "data_p99_ms",
  "data_max_ms",
  "test",
  "statistic",
  "p_value",
  "data_consistent",
  "data_verdict",
  "conn_count",
  "conn_mean_ms",
  "conn_model",
  "conn_queueing_ms",
  "conn_deviation_ms",
  "conn_as_predicted",
  "conn_verdict",
] as const;

/** A number for a CSV cell: rounded, empty when unknown. */
function n3(x: number | null | undefined): number | string {
  return x === null || x === undefined || !Number.isFinite(x) ? "" : r3(x);
}

/** `runs`: one row per run, both sides; `summary`: one row per cell, against theory. */
export function arrivalsCsv(result: ArrivalsResult): { runs: string; summary: string } {
  const gapFields = (side: string, g: GapStats | null | undefined): Row =>
    Object.fromEntries(
      (["count", "meanMs", "medianMs", "p95Ms", "p99Ms", "maxMs", "cv"] as const).map((key) => [
        `${side}_${key.replace(/Ms$/, "_ms")}`,
        n3(g?.[key]),
      ]),
    );
  const runs = result.measurements.map((m) => ({
    target: m.target,
    dist: m.dist,
    workers: m.workers,
    run: m.run,
    seed: m.seed,
    sent: m.client.sent,
    expected: m.client.expected,
    failed_workers: m.client.failed,
    client_mean_interval_ms: n3(m.client.meanIntervalMs),
    connect_ms: n3(m.client.connectMs),
    lateness_p50_ms: n3(m.client.lateness.p50Ms),
    lateness_p99_ms: n3(m.client.lateness.p99Ms),
    lateness_max_ms: n3(m.client.lateness.maxMs),
    server_connections: m.server?.connections ?? "",
    server_messages: m.server?.messages ?? "",
    ...gapFields("conn", m.server?.connection),
    ...gapFields("data", m.server?.data),
  }));
  const summary = result.cells.map((c) => ({
    target: c.target,
    dist: c.dist,
    workers: c.workers,
    runs: c.runs,
    sent: c.sent,
    expected: c.expected,
    client_mean_interval_ms: n3(c.clientMeanIntervalMs),
    lateness_p99_ms: n3(c.latenessP99Ms),
    theory_mean_ms: n3(c.theory.meanMs),
    theory_cv: n3(c.theory.cv),
    data_count: c.data?.count ?? "",
    data_mean_ms: n3(c.data?.meanMs),
    data_ci_low_ms: n3(c.data?.ciLowMs),
    data_ci_high_ms: n3(c.data?.ciHighMs),
    data_cv: n3(c.data?.cv),
    data_median_ms: n3(c.data?.medianMs),
    data_p95_ms: n3(c.data?.p95Ms),
    data_p99_ms: n3(c.data?.p99Ms),
    data_max_ms: n3(c.data?.maxMs),
    test: c.data?.test ?? "",
    statistic: n3(c.data?.statistic),
    p_value: c.data?.pValue ?? "",
    data_consistent: c.data ? String(c.data.consistent) : "",
    data_verdict: c.data?.verdict ?? "",
    conn_count: c.connections?.count ?? "",
    conn_mean_ms: n3(c.connections?.meanMs),
    conn_model: c.connections?.model ?? "",
    conn_queueing_ms: n3(c.connections?.queueingMs),
    conn_deviation_ms: n3(c.connections?.deviationMs),
    conn_as_predicted: c.connections ? String(c.connections.asPredicted) : "",
    conn_verdict: c.connections?.verdict ?? "",
  }));
  return {
    runs: toCsv(ARRIVALS_RUN_COLUMNS, runs),
    summary: toCsv(ARRIVALS_SUMMARY_COLUMNS, summary),
  };
}

/** CSV file name → content for a result, as `--out DIR` writes them. */
export function csvFiles(result: BenchResult): Record<string, string> {
  if (result.kind === "arrivals") {
    const csv = arrivalsCsv(result);
    return { "arrivals_runs.csv": csv.runs, "arrivals_summary.csv": csv.summary };
  }
  if (result.kind === "sweep") {
    const csv = sweepCsv(result);
    return { "sweep_measurements.csv": csv.measurements, "sweep_summary.csv": csv.summary };
  }
  const csv = scaleCsv(result);
  return {
    "scale_connections.csv": csv.connections,
    "scale_summary.csv": csv.summary,
    ...(csv.sources ? { "scale_sources.csv": csv.sources } : {}),
  };
}
