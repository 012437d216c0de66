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

/** CSV file name → content for a result, as `--out DIR` writes them. */
export function csvFiles(result: BenchResult): Record<string, string> {
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
