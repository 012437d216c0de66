/**
 * Tests of the server reports built from connection records: inter-arrival times merged
 * across workers from absolute times, totals, the per-connection log, JSON and CSV.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  formatConnectionLog,
  formatInterArrival,
  formatTotals,
  samplesCsv,
  summarizeServer,
  summaryJson,
} from "../../lib/reports/server_report.ts";
import type { ConnectionRecord } from "../../lib/server/session.ts";

function record(peer: string, worker: string, openedAt: number, gaps: number[]): ConnectionRecord {
  return {
    peer,
    worker,
    openedAt,
    closedAt: openedAt + 100,
    messages: gaps.length + 1,
    bytesIn: 10 * (gaps.length + 1),
    bytesOut: 5,
    gaps,
    oversized: 0,
    end: "client",
  };
}

// Records arrive in close order from different workers; opens are 1000, 1010, 1030.
const RECORDS = [
  record("127.0.0.1:3", "worker 2", 1030, [20, 20]),
  record("127.0.0.1:1", "worker 1", 1000, [10, 30]),
  record("127.0.0.1:2", "worker 1", 1010, []),
];
const META = {
  aborted: 0,
  mode: "thr",
  layout: "pool of 2 workers",
  startedAt: 0,
  stoppedAt: 2000,
  opened: 3,
  warnings: 0,
};

Deno.test("summarizeServer() merges records from several workers by absolute open time", () => {
  const s = summarizeServer(RECORDS, META);
  assert.equal(s.connectionInterArrival.count, 2);
  assert.equal(s.connectionInterArrival.mean, 15);
  assert.equal(s.dataInterArrival.count, 4);
  assert.equal(s.dataInterArrival.mean, 20);
  assert.equal(s.messages, 7);
  assert.deepEqual(s.perWorker, {
    "worker 1": { connections: 2, messages: 4 },
    "worker 2": { connections: 1, messages: 3 },
  });
  assert.deepEqual(s.ends, { client: 3 });
});

Deno.test("formatInterArrival() starts with the reference's two lines", () => {
  const lines = formatInterArrival(summarizeServer(RECORDS, META)).split("\n");
  assert.equal(lines[0], "Average connection inter-arrival time: 15.00 ms");
  assert.equal(lines[1], "Average data inter-arrival time: 20.00 ms");
  assert.match(lines[4], /^connection\s+2\s+10\.00\s+15\.00/);
});

Deno.test("formatInterArrival() says when there are too few samples", () => {
  const text = formatInterArrival(
    summarizeServer([record("a:1", "main", 0, [])], { ...META, opened: 1 }),
  );
  assert.match(text, /Average connection inter-arrival time: n\/a/);
});

Deno.test("formatConnectionLog() prints the reference's server log in open order", () => {
  assert.deepEqual(formatConnectionLog(RECORDS).split("\n"), [
    "127.0.0.1:1 requests=3 bytes_in=30 bytes_out=5 duration_ms=100.000",
    "127.0.0.1:2 requests=1 bytes_in=10 bytes_out=5 duration_ms=100.000",
    "127.0.0.1:3 requests=3 bytes_in=30 bytes_out=5 duration_ms=100.000",
  ]);
});

Deno.test("formatTotals() accounts for every connection", () => {
  const text = formatTotals(summarizeServer(RECORDS, META));
  assert.match(text, /^Connections: 3 opened, 3 closed \(3 client\), 0 open at shutdown$/m);
  assert.match(text, /^Mode: thr \(pool of 2 workers\), ran 2\.00 s, warnings: 0$/m);
});

Deno.test("summaryJson() and samplesCsv() export the same figures", () => {
  const json = JSON.parse(summaryJson(summarizeServer(RECORDS, META)));
  assert.equal(json.dataInterArrival.mean, 20);
  const rows = samplesCsv(RECORDS).trim().split("\n");
  assert.equal(rows[0], "kind,peer,worker,at_unix_ms,interval_ms");
  assert.equal(rows.filter((r) => r.startsWith("connection,")).length, 2);
  assert.equal(rows.filter((r) => r.startsWith("data,")).length, 4);
});
