/**
 * The summary table of a bench result, as cells and as aligned plain text for
 * the terminal. The Markdown report renders the same cells, so the terminal and
 * the report never disagree on what was measured.
 *
 * Sweep: one row per client count, one column per mode holding the median
 * execution time in seconds (the reference's table). Scale: one row per target ×
 * connection count with the reference's overall columns (status, requests,
 * bytes, mean total duration, mean response time) plus latency percentiles,
 * throughput and failures.
 *
 * @module
 */

import type {
  BenchResult,
  FailureCounts,
  FailureExample,
  ScaleResult,
  SweepResult,
} from "../bench/bench_result.ts";
import {
  FAILURE_KINDS,
  FAILURE_LABELS,
  failureKindsText,
  sumFailures,
  totalFailures,
} from "../bench/bench_result.ts";
import type { FailureKind } from "../net/connect.ts";
import type { ArrivalsResult } from "../bench/arrivals_result.ts";
import { formatP } from "../bench/arrival_verdict.ts";
import { formatMs } from "../cli/units.ts";

/** A table of already formatted cells; `numeric[i]` says whether column i is right-aligned. */
export interface SummaryTable {
  headers: string[];
  numeric: boolean[];
  rows: string[][];
}

function fixed(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "-";
}

/** Total failures, followed by the non-zero kinds when there are any: `3 (reset 1, timeout 2)`. */
export function formatFailures(counts: FailureCounts): string {
  const total = totalFailures(counts);
  return total === 0 ? "0" : `${total} (${failureKindsText(counts)})`;
}

/** Modes in the order the cells first name them. */
export function sweepModes(result: SweepResult): string[] {
  return [...new Set(result.cells.map((c) => c.mode))];
}

function sweepTable(result: SweepResult): SummaryTable {
  const modes = sweepModes(result);
  const clientCounts = [...new Set(result.cells.map((c) => c.clients))].sort((a, b) => a - b);
  const rows = clientCounts.map((clients) => {
    const inRow = result.cells.filter((c) => c.clients === clients);
    const perMode = modes.map((mode) => {
      const cell = inRow.find((c) => c.mode === mode);
      if (!cell) return "-";
      // Every run of the cell had a failed request: there is no execution time to show.
      return cell.medianMs === null ? "failed" : fixed(cell.medianMs / 1000, 3);
    });
    const failures = sumFailures(inRow.map((c) => c.failures));
    return [String(clients), ...perMode, formatFailures(failures)];
  });
  return {
    headers: ["clients", ...modes.map((m) => `${m} (s)`), "failures"],
    numeric: [true, ...modes.map(() => true), false],
    rows,
  };
}

function scaleTable(result: ScaleResult): SummaryTable {
  const headers = [
    "target",
    "connections",
    "status",
    "requests",
    "bytes",
    "mean duration (s)",
    "mean response (ms)",
    "p50 (ms)",
    "p90 (ms)",
    "p99 (ms)",
    "p99.9 (ms)",
    "max (ms)",
    "req/s",
    "failures",
  ];
  const measured = result.summaries.map((s) => [
    s.target,
    String(s.connections),
    totalFailures(s.failures) === 0 ? "pass" : "fail",
    String(s.requests),
    String(s.bytes),
    fixed(s.meanDurationMs / 1000, 3),
    fixed(s.meanResponseMs, 3),
    fixed(s.latency.p50Ms, 3),
    fixed(s.latency.p90Ms, 3),
    fixed(s.latency.p99Ms, 3),
    fixed(s.latency.p999Ms, 3),
    fixed(s.latency.maxMs, 3),
    fixed(s.requestsPerSec, 1),
    formatFailures(s.failures),
  ]);
  // A skipped count keeps its row in every target, in the order the counts were asked for.
  const skipped = result.settings.targets.flatMap((target) =>
    result.skipped.map((k) => [
      target,
      String(k.connections),
      "skipped",
      ...headers.slice(3).map(() => "-"),
    ])
  );
  const place = (row: string[]) =>
    result.settings.targets.indexOf(row[0]) * (result.settings.connections.length + 1) +
    result.settings.connections.indexOf(Number(row[1]));
  const rows = [...measured, ...skipped].sort((a, b) => place(a) - place(b));
  const textColumns = new Set(["target", "status", "failures"]);
  return { headers, numeric: headers.map((h) => !textColumns.has(h)), rows };
}

/**
 * The sources of a merged scale result, one row per source and step, with when its requests
 * began and ended after the merged step's first request; undefined for a single run.
 */
export function sourceTable(result: BenchResult): SummaryTable | undefined {
  if (result.kind !== "scale" || !result.sources) return undefined;
  const headers = [
    "source",
    "host",
    "target",
    "connections",
    "requests",
    "p50 (ms)",
    "p99 (ms)",
    "req/s",
    "first request (+ms)",
    "last reply (+ms)",
    "failures",
  ];
  const rows = result.sources.flatMap((source) =>
    source.summaries.map((s, step) => {
      const zero = result.summaries[step].requestPhase.start;
      return [
        source.name,
        source.environment.host,
        s.target,
        String(s.connections),
        String(s.requests),
        fixed(s.latency.p50Ms, 3),
        fixed(s.latency.p99Ms, 3),
        fixed(s.requestsPerSec, 1),
        fixed(s.requestPhase.start - zero, 1),
        fixed(s.requestPhase.end - zero, 1),
        formatFailures(s.failures),
      ];
    })
  );
  const textColumns = new Set(["source", "host", "target", "failures"]);
  return { headers, numeric: headers.map((h) => !textColumns.has(h)), rows };
}

/** The summary table of a result as formatted cells. */
export function summaryTable(result: BenchResult): SummaryTable {
  switch (result.kind) {
    case "sweep":
      return sweepTable(result);
    case "scale":
      return scaleTable(result);
    case "arrivals":
      return arrivalsTable(result);
  }
}

/**
 * One row per cell: what the client drew (theoretical mean and CV), what the server saw (mean
 * with its 95% interval, CV, the test), the verdicts on data and connection gaps.
 */
function arrivalsTable(result: ArrivalsResult): SummaryTable {
  const ms = (x: number | undefined) => x === undefined || !Number.isFinite(x) ? "-" : formatMs(x);
  const cv = (x: number | undefined) => x === undefined || !Number.isFinite(x) ? "-" : fixed(x, 2);
  const rows = result.cells.map((c) => {
    const d = c.data;
    const test = !d
      ? "-"
      : d.test === "ks"
      ? `D ${fixed(d.statistic, 3)}, p ${formatP(d.pValue!)}`
      : `spread ${formatMs(d.statistic)} ms`;
    return [
      c.target,
      c.dist,
      String(c.workers),
      `${c.sent}/${c.expected}`,
      ms(c.clientMeanIntervalMs),
      ms(c.latenessP99Ms),
      ms(c.theory.meanMs),
      ms(d?.meanMs),
      d ? `${ms(d.ciLowMs)}\u2013${ms(d.ciHighMs)}` : "-",
      cv(c.theory.cv),
      cv(d?.cv),
      test,
      d?.verdict ?? "not measured (external server)",
      ms(c.connections?.meanMs),
      c.connections?.verdict ?? "-",
    ];
  });
  return {
    headers: [
      "mode",
      "dist",
      "workers",
      "sent",
      "client mean (ms)",
      "late p99 (ms)",
      "theory (ms)",
      "mean (ms)",
      "95% CI (ms)",
      "theory CV",
      "CV",
      "fit",
      "data gaps",
      "conn gap (ms)",
      "connection gaps",
    ],
    numeric: [
      false,
      false,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      true,
      false,
    ],
    rows,
  };
}

/** A kind of failure in a result: how many, and the first one with where it happened. */
export interface FailureNote {
  kind: FailureKind;
  count: number;
  /** The step of the first one: `async, 10 clients, run 1`. */
  where: string;
  first: FailureExample;
}

/** Every kind of failure in a result, in the order of {@link FAILURE_KINDS}. */
export function failureNotes(result: BenchResult): FailureNote[] {
  // A timestamp client's failures are its workers' errors, which arrivalsNotes() gives.
  if (result.kind === "arrivals") return [];
  const steps = result.kind === "sweep"
    ? result.measurements.map((m) => ({
      where: `${m.mode}, ${m.clients} clients, run ${m.run}`,
      failures: m.failures,
      examples: m.examples,
    }))
    : result.summaries.map((s) => ({
      where: `${s.target}, ${s.connections} connections`,
      failures: s.failures,
      examples: s.examples,
    }));
  const total = sumFailures(steps.map((s) => s.failures));
  return FAILURE_KINDS.flatMap((kind) => {
    const step = steps.find((s) => s.examples[kind]);
    return total[kind] > 0 && step
      ? [{ kind, count: total[kind], where: step.where, first: step.examples[kind]! }]
      : [];
  });
}

/** One line per failure kind: its count and its first example, what was expected and what came. */
export function failureLines(result: BenchResult): string[] {
  return failureNotes(result).map(({ kind, count, where, first }) => {
    const request = first.request === 0 ? "connecting" : `request ${first.request}`;
    return `${
      FAILURE_LABELS[kind]
    } ${count}, first at ${where}, connection ${first.conn}, ${request}: expected ${first.expected}, got ${first.got}`;
  });
}

/** One line per count skipped, with why. */
export function skippedLines(result: BenchResult): string[] {
  if (result.kind !== "scale") return [];
  return result.skipped.map((k) => `${k.connections} connections: ${k.reason}`);
}

/** Of an arrivals run: what could not be measured, and each run whose workers failed. */
export function arrivalsNotes(result: BenchResult): string[] {
  if (result.kind !== "arrivals") return [];
  const external = result.settings.measured === "both sides" ? [] : [
    `External server: ${result.settings.measured}; the table's server columns are empty.`,
  ];
  return [
    ...external,
    ...result.measurements.filter((m) => m.client.failed > 0).map((m) =>
      `${m.target}, ${m.dist}, ${m.workers} workers, run ${m.run}: ${m.client.failed} workers failed, first: ${m.client.firstError}`
    ),
  ];
}

/** The sentence that marks a run that ended early, or undefined for a complete one. */
export function interruptionNote(result: BenchResult): string | undefined {
  if (result.kind === "sweep" && result.stopped) return `Stopped early: ${result.stopped}.`;
  if (!result.interrupted) return undefined;
  return `Interrupted by ${result.interrupted}: these are the measurements made before it; the one under way was dropped.`;
}

/** The summary table as aligned plain text (no colors), one line per row, header underlined. */
export function benchTable(result: BenchResult): string {
  const interrupted = interruptionNote(result);
  const sources = sourceTable(result);
  const section = (title: string, lines: string[]) =>
    lines.length > 0 ? ["", title, ...lines.map((l) => `  ${l}`)] : [];
  return [
    ...(interrupted ? [interrupted, ""] : []),
    ...alignedLines(summaryTable(result)),
    ...(sources ? ["", "Sources:", ...alignedLines(sources)] : []),
    ...section("Skipped:", skippedLines(result)),
    ...section("Failures by kind:", failureLines(result)),
    ...section("Notes:", arrivalsNotes(result)),
  ].join("\n") + "\n";
}

/** A table as aligned lines: header, dashes, rows; numbers right-aligned, text left-aligned. */
function alignedLines({ headers, numeric, rows }: SummaryTable): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
}
