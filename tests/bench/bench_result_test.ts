/** Tests for the bench result reductions in lib/bench/bench_result.ts. */

import assert from "node:assert/strict";
import { fc } from "../support/fast_check.ts";
import {
  emptyFailures,
  FAILURE_KINDS,
  summarizeSweep,
  type SweepMeasurement,
  totalFailures,
} from "../../lib/bench/bench_result.ts";

function m(mode: string, clients: number, run: number, totalMs: number, timeouts = 0) {
  const failures = { ...emptyFailures(), timeout: timeouts };
  return { mode, clients, run, totalMs, failures, examples: {} } satisfies SweepMeasurement;
}

Deno.test("summarizeSweep() takes the median per cell", () => {
  const cells = summarizeSweep([
    m("async", 10, 1, 3050),
    m("async", 10, 2, 3010),
    m("async", 10, 3, 9000),
  ]);
  assert.equal(cells.length, 1);
  assert.deepEqual(cells[0], {
    mode: "async",
    clients: 10,
    runs: 3,
    medianMs: 3050,
    minMs: 3010,
    maxMs: 9000,
    failures: emptyFailures(),
  });
});

Deno.test("summarizeSweep() averages the two middle runs for an even count", () => {
  const [cell] = summarizeSweep([
    m("thr", 20, 1, 400),
    m("thr", 20, 2, 100),
    m("thr", 20, 3, 300),
    m("thr", 20, 4, 1000),
  ]);
  assert.equal(cell.medianMs, 350);
  const [pair] = summarizeSweep([m("thr", 20, 1, 10), m("thr", 20, 2, 11)]);
  assert.equal(pair.medianMs, 10.5);
});

Deno.test("summarizeSweep() keeps one cell per mode × clients, modes in first-seen order", () => {
  // Interleaved on purpose: the order of cells must not depend on the order of runs.
  const cells = summarizeSweep([
    m("proc", 30, 1, 5),
    m("iter", 10, 1, 1),
    m("proc", 10, 1, 2),
    m("iter", 30, 1, 4, 2),
    m("iter", 10, 2, 3),
    m("iter", 30, 2, 6, 1),
  ]);
  assert.deepEqual(cells.map((c) => [c.mode, c.clients, c.runs]), [
    ["proc", 10, 1],
    ["proc", 30, 1],
    ["iter", 10, 2],
    ["iter", 30, 2],
  ]);
  const iter30 = cells.find((c) => c.mode === "iter" && c.clients === 30)!;
  assert.deepEqual(iter30.failures, { ...emptyFailures(), timeout: 3 });
  assert.equal(iter30.medianMs, 5);
  assert.deepEqual(summarizeSweep([]), []);
});

Deno.test("summarizeSweep() medians lie between min and max and split the runs in half", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0, max: 1e7, noNaN: true }), { minLength: 1, maxLength: 25 }),
      (times) => {
        const [cell] = summarizeSweep(times.map((t, i) => m("async", 10, i + 1, t)));
        assert.equal(cell.runs, times.length);
        assert.equal(cell.minMs, Math.min(...times));
        assert.equal(cell.maxMs, Math.max(...times));
        const median = cell.medianMs!;
        assert.ok(cell.minMs! <= median && median <= cell.maxMs!);
        const below = times.filter((t) => t <= median).length;
        const above = times.filter((t) => t >= median).length;
        assert.ok(below >= times.length / 2, `${below} of ${times.length} at or below`);
        assert.ok(above >= times.length / 2, `${above} of ${times.length} at or above`);
      },
    ),
  );
});

Deno.test("summarizeSweep() takes the times of the runs that have one; none gives null", () => {
  const failed = { ...m("async", 10, 1, 0), totalMs: null };
  const [partly, wholly] = summarizeSweep([
    failed,
    m("async", 10, 2, 4),
    m("async", 10, 3, 6),
    { ...failed, clients: 20 },
  ]);
  assert.deepEqual([partly.medianMs, partly.minMs, partly.maxMs, partly.runs], [5, 4, 6, 3]);
  assert.deepEqual([wholly.medianMs, wholly.minMs, wholly.maxMs, wholly.runs], [
    null,
    null,
    null,
    1,
  ]);
});

Deno.test("emptyFailures() has every kind at zero and is a fresh object", () => {
  const a = emptyFailures();
  assert.deepEqual(Object.keys(a).sort(), ["connect", "mismatch", "reset", "timeout"]);
  assert.deepEqual([...FAILURE_KINDS].sort(), Object.keys(a).sort());
  for (const kind of FAILURE_KINDS) assert.equal(a[kind], 0);
  a.reset = 5;
  assert.equal(emptyFailures().reset, 0);
  assert.equal(totalFailures(a), 5);
  assert.equal(totalFailures({ connect: 1, reset: 2, timeout: 3, mismatch: 4 }), 10);
});
