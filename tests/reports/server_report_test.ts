/**
 * Tests of the server reports built from connection records: inter-arrival times merged
 * across workers from absolute times, totals, the per-connection log, JSON and CSV.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  connectionSamplesCsv,
  dataSamplesCsv,
  formatHeading,
  formatInterArrival,
  formatTotals,
  SAMPLES_CSV_HEADER,
  ServerTally,
  summarizeServer,
  summaryJson,
} from "../../lib/reports/server_report.ts";
import type { ConnectionRecord } from "../../lib/server/session.ts";
import { SampleStats } from "../../lib/stats/sample_stats.ts";
import { createRng } from "../../lib/stats/rng.ts";

function record(peer: string, worker: string, openedAt: number, gaps: number[]): ConnectionRecord {
  const stats = new SampleStats();
  for (const gap of gaps) stats.add(gap);
  return {
    peer,
    worker,
    openedAt,
    closedAt: openedAt + 100,
    messages: gaps.length + 1,
    bytesIn: 10 * (gaps.length + 1),
    bytesOut: 5,
    gaps: stats,
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
  // The median is the histogram's, within its precision, as the data row's is.
  assert.match(lines[3], /\s+max\s+cv$/);
  assert.match(
    lines[4],
    /^connection\s+2\s+10\.00\s+10\.0\d\s+20\.00\s+20\.00\s+20\.00\s+0\.\d\d$/,
  );
});

Deno.test("formatInterArrival() says when there are too few samples", () => {
  const text = formatInterArrival(
    summarizeServer([record("a:1", "main", 0, [])], { ...META, opened: 1 }),
  );
  assert.match(text, /Average connection inter-arrival time: n\/a/);
});

Deno.test("formatTotals() accounts for every connection", () => {
  const text = formatTotals(summarizeServer(RECORDS, META));
  assert.match(text, /^Connections: 3 opened, 3 closed \(3 client\), 0 open at shutdown$/m);
  assert.match(text, /^Mode: thr \(pool of 2 workers\), ran 2\.00 s, warnings: 0$/m);
  assert.match(text, /^ {2}worker 2: 1 connection, 3 messages$/m);
});

Deno.test("summarizeServer() merges the data inter-arrival of many connections exactly", () => {
  const random = createRng(3);
  const perConnection = Array.from(
    { length: 40 },
    (_, i) => Array.from({ length: i * 25 }, () => random() * 200),
  );
  const records = perConnection.map((gaps, i) => record(`a:${i}`, "main", i, gaps));
  const all = perConnection.flat();
  const data = summarizeServer(records, META).dataInterArrival;
  assert.equal(data.count, all.length);
  assert.equal(data.min, Math.min(...all));
  assert.equal(data.max, Math.max(...all));
  const sum = all.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(data.mean - sum / all.length) <= 0.0005);
  assert.deepEqual(data, record("all", "main", 0, all).gaps.summary());
});

Deno.test("ServerTally summarises what has arrived so far and goes on counting", () => {
  const tally = new ServerTally();
  RECORDS.forEach((r) => tally.open(r.openedAt));
  tally.add(RECORDS[0]);
  const early = tally.summary({ ...META, incomplete: true });
  assert.deepEqual([early.closed, early.messages, early.incomplete], [1, 3, true]);
  tally.add(RECORDS[1]);
  tally.add(RECORDS[2]);
  assert.deepEqual(tally.summary(META), summarizeServer(RECORDS, META));
  assert.equal(early.closed, 1, "an earlier summary is not changed by later records");
});

Deno.test("ServerTally keeps no number per connection: a client connecting in a loop does not grow it", () => {
  // Keeping each open time to sort them at the end grew the server 8 bytes per connection
  // (16 MB here) for as long as it ran.
  const tally = new ServerTally();
  const one = record("127.0.0.1:1", "main", 0, []);
  const before = Deno.memoryUsage().heapUsed;
  for (let i = 0; i < 2_000_000; i++) {
    one.openedAt = 1_700_000_000_000 + i * 0.1;
    tally.open(one.openedAt);
    tally.add(one);
  }
  const grown = Deno.memoryUsage().heapUsed - before;
  const summary = tally.summary(META);
  assert.deepEqual([summary.closed, summary.connectionInterArrival.count], [2_000_000, 1_999_999]);
  assert.ok(grown < 8 * 1024 * 1024, `the tally grew the heap by ${grown} bytes`);
});

Deno.test("formatHeading() says when the report leaves open connections out", () => {
  assert.equal(formatHeading(summarizeServer(RECORDS, META)), "The server is terminating");
  const forced = formatHeading(summarizeServer(RECORDS, { ...META, opened: 4, incomplete: true }));
  assert.match(forced, /^Incomplete report: forced to quit with 1 connection still open/m);
});

Deno.test("summaryJson() gives the same figures and null for what is undefined", () => {
  const json = JSON.parse(summaryJson(summarizeServer(RECORDS, META)));
  assert.equal(json.dataInterArrival.mean, 20);
  assert.equal(json.incomplete, false);
  const empty = JSON.parse(summaryJson(summarizeServer([], { ...META, opened: 0 })));
  assert.equal(empty.dataInterArrival.mean, null);
});

Deno.test("dataSamplesCsv() fills at_unix_ms and leaves a first message's interval empty", () => {
  const text = SAMPLES_CSV_HEADER + dataSamplesCsv([
    ["127.0.0.1:1", "worker 1", 1000.25, null],
    ["127.0.0.1:1", "worker 1", 1020.5, 20.25],
  ]);
  assert.deepEqual(text.trim().split("\n"), [
    "kind,peer,worker,at_unix_ms,interval_ms,closed_unix_ms",
    "data,127.0.0.1:1,worker 1,1000.250,,",
    "data,127.0.0.1:1,worker 1,1020.500,20.250,",
  ]);
});

Deno.test("connectionSamplesCsv() lists connections in open order with their inter-arrival and close", () => {
  assert.deepEqual(connectionSamplesCsv(RECORDS).trim().split("\n"), [
    "connection,127.0.0.1:1,worker 1,1000.000,,1100.000",
    "connection,127.0.0.1:2,worker 1,1010.000,10.000,1110.000",
    "connection,127.0.0.1:3,worker 2,1030.000,20.000,1130.000",
  ]);
});
