/**
 * The reports of `serve` and `task-serve`, built from the connection records every mode
 * delivers: connection inter-arrival (server-wide, from absolute open times, so records from
 * any worker or process merge correctly), data inter-arrival (per connection), counts per
 * worker, the per-connection log, JSON and raw-sample CSV. Pure: returns strings.
 *
 * @module
 */

import { stringify } from "csv-stringify";
import type { ConnectionEnd, ConnectionRecord } from "../server/session.ts";
import { gaps, type SampleSummary, summarize } from "../stats/stats.ts";
import { formatMs } from "../cli/units.ts";

/** What a server did over its run. */
export interface ServerSummary {
  mode: string;
  /** How the mode ran, e.g. `2 workers`, `one child per connection`. */
  layout: string;
  startedAt: number;
  stoppedAt: number;
  /** Connections accepted (open events). */
  opened: number;
  /** Connections that failed before they were accepted (reset in the backlog). */
  aborted: number;
  /** Connections whose record arrived. */
  closed: number;
  /** Of the closed, those still open when the drain time ran out. */
  openAtShutdown: number;
  ends: Partial<Record<ConnectionEnd, number>>;
  messages: number;
  bytesIn: number;
  bytesOut: number;
  oversized: number;
  connectionInterArrival: SampleSummary;
  dataInterArrival: SampleSummary;
  perWorker: Record<string, { connections: number; messages: number }>;
  warnings: number;
}

/** Merges the records of a run into its summary. */
export function summarizeServer(
  records: readonly ConnectionRecord[],
  meta: {
    mode: string;
    layout: string;
    startedAt: number;
    stoppedAt: number;
    opened: number;
    aborted: number;
    warnings: number;
  },
): ServerSummary {
  const ends: Partial<Record<ConnectionEnd, number>> = {};
  const perWorker: ServerSummary["perWorker"] = {};
  const dataGaps: number[] = [];
  let messages = 0, bytesIn = 0, bytesOut = 0, oversized = 0;
  for (const record of records) {
    ends[record.end] = (ends[record.end] ?? 0) + 1;
    const worker = perWorker[record.worker] ??= { connections: 0, messages: 0 };
    worker.connections++;
    worker.messages += record.messages;
    messages += record.messages;
    bytesIn += record.bytesIn;
    bytesOut += record.bytesOut;
    oversized += record.oversized;
    for (const gap of record.gaps) dataGaps.push(gap);
  }
  return {
    ...meta,
    closed: records.length,
    openAtShutdown: ends.shutdown ?? 0,
    ends,
    messages,
    bytesIn,
    bytesOut,
    oversized,
    connectionInterArrival: summarize(connectionGaps(records)),
    dataInterArrival: summarize(dataGaps),
    perWorker,
  };
}

function connectionGaps(records: readonly ConnectionRecord[]): number[] {
  return gaps(records.map((r) => r.openedAt).sort((a, b) => a - b));
}

function statRow(label: string, s: SampleSummary): string {
  const cells = [s.min, s.median, s.p95, s.p99, s.max].map((v) =>
    (Number.isNaN(v) ? "-" : formatMs(v)).padStart(9)
  );
  return `${label.padEnd(26)}${String(s.count).padStart(7)}${cells.join("")}`;
}

/** The timestamp lab's report: the two reference lines, then the distribution of both times. */
export function formatInterArrival(summary: ServerSummary): string {
  const avg = (s: SampleSummary) =>
    Number.isNaN(s.mean) ? "n/a (fewer than 2 samples)" : `${formatMs(s.mean)} ms`;
  return [
    `Average connection inter-arrival time: ${avg(summary.connectionInterArrival)}`,
    `Average data inter-arrival time: ${avg(summary.dataInterArrival)}`,
    "",
    `${"inter-arrival (ms)".padEnd(26)}${"count".padStart(7)}${
      ["min", "median", "p95", "p99", "max"].map((h) => h.padStart(9)).join("")
    }`,
    statRow("connection", summary.connectionInterArrival),
    statRow("data", summary.dataInterArrival),
  ].join("\n");
}

/** The task lab's server log: one line per connection, in the order they opened. */
export function formatConnectionLog(records: readonly ConnectionRecord[]): string {
  return [...records]
    .sort((a, b) => a.openedAt - b.openedAt)
    .map((r) =>
      `${r.peer} requests=${r.messages} bytes_in=${r.bytesIn} bytes_out=${r.bytesOut} duration_ms=${
        (r.closedAt - r.openedAt).toFixed(3)
      }`
    )
    .join("\n");
}

/** Counts and per-mode details, common to both servers. */
export function formatTotals(summary: ServerSummary): string {
  const ends = Object.entries(summary.ends).map(([end, n]) => `${n} ${end}`).join(", ");
  const workers = Object.entries(summary.perWorker)
    .sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))
    .map(([worker, w]) => `  ${worker}: ${w.connections} connections, ${w.messages} messages`);
  const seconds = ((summary.stoppedAt - summary.startedAt) / 1000).toFixed(2);
  return [
    `Connections: ${summary.opened} opened, ${summary.closed} closed${
      ends ? ` (${ends})` : ""
    }, ${summary.openAtShutdown} open at shutdown${
      summary.aborted > 0 ? `, ${summary.aborted} reset before accept` : ""
    }`,
    `Messages: ${summary.messages}, bytes in: ${summary.bytesIn}, bytes out: ${summary.bytesOut}, oversized: ${summary.oversized}`,
    `Mode: ${summary.mode} (${summary.layout}), ran ${seconds} s, warnings: ${summary.warnings}`,
    ...workers,
  ].join("\n");
}

/** The summary as JSON, for `--json`. */
export function summaryJson(summary: ServerSummary): string {
  return JSON.stringify(summary, (_key, value) => Number.isNaN(value) ? null : value, 2);
}

/**
 * Raw samples for `--csv`: one row per connection inter-arrival and per data inter-arrival,
 * with the absolute time it ended at.
 */
export function samplesCsv(records: readonly ConnectionRecord[]): string {
  const rows: (string | number)[][] = [];
  const opens = [...records].sort((a, b) => a.openedAt - b.openedAt);
  for (let i = 1; i < opens.length; i++) {
    rows.push([
      "connection",
      opens[i].peer,
      opens[i].worker,
      opens[i].openedAt.toFixed(3),
      (opens[i].openedAt - opens[i - 1].openedAt).toFixed(3),
    ]);
  }
  for (const record of opens) {
    for (const gap of record.gaps) {
      rows.push(["data", record.peer, record.worker, "", gap.toFixed(3)]);
    }
  }
  return stringify(rows, {
    header: true,
    columns: ["kind", "peer", "worker", "at_unix_ms", "interval_ms"],
  });
}
