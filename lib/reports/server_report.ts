/**
 * The reports of `serve` and `task-serve`, built from the connection records every mode
 * delivers: connection inter-arrival (server-wide, from the absolute open times every worker or
 * process reports, put back in order), data inter-arrival (per connection, merged exactly),
 * counts per worker, the per-connection log, JSON and the rows of the raw-sample CSV.
 * Pure: returns strings.
 *
 * @module
 */

import { stringify } from "csv-stringify";
import type { ConnectionEnd, ConnectionRecord } from "../server/session.ts";
import type { DataSample } from "../server/server_spec.ts";
import type { SampleSummary } from "../stats/stats.ts";
import { SampleStats } from "../stats/sample_stats.ts";
import { ArrivalGaps } from "../stats/arrival_gaps.ts";
import { formatMs, plural } from "../cli/units.ts";

/** What a server did over its run. */
export interface ServerSummary {
  mode: string;
  /** How the mode ran, e.g. `2 workers`, `one child per connection`. */
  layout: string;
  startedAt: number;
  stoppedAt: number;
  /** Forced to quit before open connections closed: they are missing from every figure. */
  incomplete: boolean;
  /** Connections accepted (open events). */
  opened: number;
  /** Connections that failed before they were accepted (reset in the backlog). */
  aborted: number;
  /** Connections reset unaccepted because a listener's descriptor budget was full. */
  shed: number;
  /** Connections taken from the kernel but closed unserved as accepting stopped. */
  unserved: number;
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

/** What the server knows besides its records. */
export interface ServerMeta {
  mode: string;
  layout: string;
  startedAt: number;
  stoppedAt: number;
  opened: number;
  /** Connections that failed before they were accepted (reset in the backlog). */
  aborted: number;
  /** Connections reset unaccepted because a listener's descriptor budget was full. */
  shed?: number;
  /** Connections taken from the kernel but closed unserved as accepting stopped. */
  unserved?: number;
  warnings: number;
  incomplete?: boolean;
}

/**
 * Adds up connection opens and records as they arrive, in bounded memory: statistics, never
 * a record's samples or a number per connection.
 */
export class ServerTally {
  #opens = new ArrivalGaps();
  #closed = 0;
  #ends: Partial<Record<ConnectionEnd, number>> = {};
  #perWorker: ServerSummary["perWorker"] = {};
  #messages = 0;
  #bytesIn = 0;
  #bytesOut = 0;
  #oversized = 0;
  #data = new SampleStats();

  /** How many records were added. */
  get closed(): number {
    return this.#closed;
  }

  /** Notes a connection's open time (its open event), for the connection inter-arrival. */
  open(at: number): void {
    this.#opens.add(at);
  }

  /** Adds one connection's record. */
  add(record: ConnectionRecord): void {
    this.#closed++;
    this.#ends[record.end] = (this.#ends[record.end] ?? 0) + 1;
    const worker = this.#perWorker[record.worker] ??= { connections: 0, messages: 0 };
    worker.connections++;
    worker.messages += record.messages;
    this.#messages += record.messages;
    this.#bytesIn += record.bytesIn;
    this.#bytesOut += record.bytesOut;
    this.#oversized += record.oversized;
    this.#data.merge(record.gaps);
  }

  /** The summary of the records added so far. */
  summary(meta: ServerMeta): ServerSummary {
    return {
      ...meta,
      incomplete: meta.incomplete ?? false,
      shed: meta.shed ?? 0,
      unserved: meta.unserved ?? 0,
      closed: this.#closed,
      openAtShutdown: this.#ends.shutdown ?? 0,
      ends: { ...this.#ends },
      messages: this.#messages,
      bytesIn: this.#bytesIn,
      bytesOut: this.#bytesOut,
      oversized: this.#oversized,
      connectionInterArrival: this.#opens.summary(),
      dataInterArrival: this.#data.summary(),
      perWorker: structuredClone(this.#perWorker),
    };
  }
}

/** Merges the records of a run into its summary. */
export function summarizeServer(
  records: readonly ConnectionRecord[],
  meta: ServerMeta,
): ServerSummary {
  const tally = new ServerTally();
  for (const record of records) {
    tally.open(record.openedAt);
    tally.add(record);
  }
  return tally.summary(meta);
}

function statRow(label: string, s: SampleSummary): string {
  const cells = [s.min, s.median, s.p95, s.p99, s.max].map((v) =>
    (Number.isNaN(v) ? "-" : formatMs(v)).padStart(9)
  );
  const cv = (Number.isFinite(s.cv) ? s.cv.toFixed(2) : "-").padStart(7);
  return `${label.padEnd(26)}${String(s.count).padStart(7)}${cells.join("")}${cv}`;
}

/**
 * The timestamp lab's report: the two reference lines, then the distribution of both times,
 * with the coefficient of variation (about 1 for Poisson arrivals, 0 for a steady stream).
 */
export function formatInterArrival(summary: ServerSummary): string {
  const avg = (s: SampleSummary) =>
    Number.isNaN(s.mean) ? "n/a (fewer than 2 samples)" : `${formatMs(s.mean)} ms`;
  return [
    `Average connection inter-arrival time: ${avg(summary.connectionInterArrival)}`,
    `Average data inter-arrival time: ${avg(summary.dataInterArrival)}`,
    "",
    `${"inter-arrival (ms)".padEnd(26)}${"count".padStart(7)}${
      ["min", "median", "p95", "p99", "max"].map((h) => h.padStart(9)).join("")
    }${"cv".padStart(7)}`,
    statRow("connection", summary.connectionInterArrival),
    statRow("data", summary.dataInterArrival),
  ].join("\n");
}

/**
 * The report's first lines: that the server is terminating and, when it was forced to quit
 * early, that the figures leave out the connections still open.
 */
export function formatHeading(summary: ServerSummary): string {
  if (!summary.incomplete) return "The server is terminating";
  const open = summary.opened - summary.closed;
  return [
    "The server is terminating",
    `Incomplete report: forced to quit with ${
      plural(open, "connection")
    } still open, which the figures below leave out`,
  ].join("\n");
}

/** Counts and per-mode details, common to both servers. */
export function formatTotals(summary: ServerSummary): string {
  const ends = Object.entries(summary.ends).map(([end, n]) => `${n} ${end}`).join(", ");
  const workers = Object.entries(summary.perWorker)
    .sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))
    .map(([worker, w]) =>
      `  ${worker}: ${plural(w.connections, "connection")}, ${plural(w.messages, "message")}`
    );
  const seconds = ((summary.stoppedAt - summary.startedAt) / 1000).toFixed(2);
  return [
    `Connections: ${summary.opened} opened, ${summary.closed} closed${
      ends ? ` (${ends})` : ""
    }, ${summary.openAtShutdown} open at shutdown${
      summary.aborted > 0 ? `, ${summary.aborted} reset before accept` : ""
    }${summary.shed > 0 ? `, ${summary.shed} reset over the descriptor budget` : ""}${
      summary.unserved > 0 ? `, ${summary.unserved} closed unserved as accepting stopped` : ""
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

/** The columns of the `--csv` file, as its header line. */
export const SAMPLES_CSV_HEADER = "kind,peer,worker,at_unix_ms,interval_ms,closed_unix_ms\n";

/**
 * `--csv` rows (no header) for data samples: when each message arrived and the time since
 * the connection's previous message, empty for its first (`closed_unix_ms` is a connection's).
 */
export function dataSamplesCsv(rows: readonly DataSample[]): string {
  return stringify(
    rows.map(([peer, worker, at, interval]) => [
      "data",
      peer,
      worker,
      at.toFixed(3),
      interval === null ? "" : interval.toFixed(3),
      "",
    ]),
  );
}

/**
 * `--csv` rows (no header) for connections, in the order they opened: when each opened, the
 * time since the previous opening on the whole server (empty for the first) and when it
 * closed, so that a connection's life can be set beside the gap after it (`bench arrivals`).
 */
export function connectionSamplesCsv(
  opens: readonly Pick<ConnectionRecord, "peer" | "worker" | "openedAt" | "closedAt">[],
): string {
  const sorted = opens.toSorted((a, b) => a.openedAt - b.openedAt);
  return stringify(
    sorted.map((open, i) => [
      "connection",
      open.peer,
      open.worker,
      open.openedAt.toFixed(3),
      i === 0 ? "" : (open.openedAt - sorted[i - 1].openedAt).toFixed(3),
      open.closedAt.toFixed(3),
    ]),
  );
}
