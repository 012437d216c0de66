/** Tests for lib/bench/merge.ts: exact merges of scale runs made on several hosts. */

import assert from "node:assert/strict";
import {
  emptyFailures,
  type ScaleConnectionRow,
  type ScaleResult,
} from "../../lib/bench/bench_result.ts";
import { MergeError, mergeScaleResults } from "../../lib/bench/merge.ts";
import {
  createLatencyHistogram,
  encodeHistogram,
  recordMs,
  summarizeLatency,
} from "../../lib/stats/histogram.ts";
import { createRng } from "../../lib/stats/rng.ts";
import { scaleSettings, TEST_ENVIRONMENT } from "./bench_support.ts";

const ENVIRONMENT = { ...TEST_ENVIRONMENT, commandLine: "socklab bench merge a b c" };

/** Latencies in ms with a long tail, as real runs have. */
function samples(seed: number, count: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => 0.05 + rng() ** 4 * 40);
}

/**
 * A one-step scale run from `host`: `rows.length` connections whose requests took `latencies`,
 * its request phase from `start` to `end`.
 */
function run(
  host: string,
  latencies: number[],
  durations: number[],
  phase: { start: number; end: number },
  timeouts = 0,
): ScaleResult {
  const histogram = createLatencyHistogram();
  for (const ms of latencies) recordMs(histogram, ms);
  const rows: ScaleConnectionRow[] = durations.map((durationMs, i) => ({
    target: "10.0.0.5:65432",
    connections: durations.length,
    conn: i + 1,
    requests: i === 0 ? 0 : 10,
    bytes: i === 0 ? 0 : 650,
    durationMs,
    meanResponseMs: i === 0 ? 0 : durationMs / 10,
    failures: i === 0 ? 1 : 0,
  }));
  return {
    kind: "scale",
    startedAt: new Date(phase.start - 100).toISOString(),
    endedAt: new Date(phase.end + 100).toISOString(),
    environment: { ...ENVIRONMENT, host },
    settings: scaleSettings({
      targets: ["10.0.0.5:65432"],
      connections: [durations.length],
      requests: 10,
      size: 64,
    }),
    skipped: [],
    connections: rows,
    summaries: [{
      target: "10.0.0.5:65432",
      connections: durations.length,
      requests: latencies.length,
      bytes: latencies.length * 65,
      meanDurationMs: 0,
      meanResponseMs: 0,
      latency: summarizeLatency(histogram),
      elapsedMs: phase.end - phase.start,
      requestsPerSec: 1,
      failures: { ...emptyFailures(), timeout: timeouts },
      examples: timeouts > 0
        ? { timeout: { conn: 1, request: 1, expected: "x", got: `${host} timed out` } }
        : {},
      histogram: encodeHistogram(histogram),
      requestPhase: phase,
    }],
  };
}

Deno.test("mergeScaleResults() gives exactly the percentiles of all samples in one histogram, and sums the counts", () => {
  const parts = [samples(1, 3000), samples(2, 500), samples(3, 7000)];
  const a = run("host-a", parts[0], [10, 20, 30], { start: 1000, end: 5000 }, 1);
  const b = run("host-b", parts[1], [40, 50], { start: 1012.5, end: 5200 });
  const c = run("host-c", parts[2], [60, 70, 80, 90], { start: 1003, end: 4900 }, 2);
  const merged = mergeScaleResults(
    [{ name: "a.json", result: a }, { name: "b.json", result: b }, { name: "c.json", result: c }],
    ENVIRONMENT,
  );

  const all = createLatencyHistogram();
  for (const ms of parts.flat()) recordMs(all, ms);
  const [step] = merged.summaries;
  assert.deepEqual(step.latency, summarizeLatency(all));
  assert.equal(step.latency.count, 3000 + 500 + 7000);

  assert.equal(step.requests, 10_500);
  assert.equal(step.bytes, 10_500 * 65);
  assert.equal(step.connections, 9);
  assert.deepEqual(step.failures, { ...emptyFailures(), timeout: 3 });
  assert.equal(step.examples.timeout?.got, "host-a timed out", "the first source's example");
  assert.deepEqual(step.requestPhase, { start: 1000, end: 5200 });
  assert.equal(step.elapsedMs, 4200);
  assert.equal(step.requestsPerSec, 10_500 / 4.2);
  // Means over all nine connections (response time over the six that got replies).
  assert.equal(step.meanDurationMs, 50);
  assert.equal(step.meanResponseMs, (20 + 30 + 50 + 70 + 80 + 90) / 10 / 6);

  // Connections numbered one after the other, source by source.
  assert.deepEqual(merged.connections.map((r) => r.conn), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.ok(merged.connections.every((r) => r.connections === 9));
  assert.deepEqual(merged.settings.connections, [9]);

  assert.deepEqual(merged.sources?.map((s) => [s.name, s.environment.host]), [
    ["a.json", "host-a"],
    ["b.json", "host-b"],
    ["c.json", "host-c"],
  ]);
  assert.deepEqual(merged.sources?.[1].summaries, b.summaries);
  assert.equal(merged.startedAt, a.startedAt);
  assert.equal(merged.endedAt, b.endedAt);
  assert.equal(merged.environment, ENVIRONMENT);
});

Deno.test("mergeScaleResults() refuses runs that do not fit together, naming the file", () => {
  const a = run("a", samples(1, 10), [1], { start: 0, end: 1 });
  const twoSteps = { ...a, summaries: [...a.summaries, ...a.summaries] };
  assert.throws(
    () =>
      mergeScaleResults(
        [{ name: "a.json", result: a }, { name: "b.json", result: twoSteps }],
        ENVIRONMENT,
      ),
    (error: unknown) =>
      error instanceof MergeError && /^Cannot merge "b\.json": its steps/.test(error.message),
  );
  const old = { ...a, summaries: a.summaries.map(({ histogram: _, ...rest }) => rest) };
  assert.throws(
    () =>
      mergeScaleResults(
        [{ name: "a.json", result: a }, { name: "old.json", result: old as ScaleResult }],
        ENVIRONMENT,
      ),
    /Cannot merge "old\.json": its steps carry no latency histogram/,
  );
  assert.throws(() => mergeScaleResults([], ENVIRONMENT), MergeError);
});
