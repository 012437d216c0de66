/**
 * Tests of how `bench arrivals` pools a cell's runs: an iterative server's connection gaps are
 * judged against the lives the server recorded of the connections accepted before them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type ArrivalsMeasurement, summarizeArrivals } from "../../lib/bench/arrivals_result.ts";

const LATENESS = { count: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 };

/** One run of an iterative server that accepted connections living `lives` back to back. */
function backToBack(run: number, lives: number[]): ArrivalsMeasurement {
  return {
    target: "iter",
    dist: "u:2s",
    workers: lives.length,
    run,
    seed: run,
    client: {
      sent: 0,
      expected: 0,
      failed: 0,
      firstError: null,
      meanIntervalMs: NaN,
      activeMs: lives,
      connectMs: 0,
      lateness: LATENESS,
    },
    server: {
      connections: lives.length,
      messages: 0,
      connection: null,
      data: null,
      connectionGapsMs: lives.slice(0, -1),
      connectionLivesMs: lives,
      dataGapsMs: [],
    },
  };
}

Deno.test("summarizeArrivals() predicts each connection gap from the life of the connection before it", () => {
  // The last connection served (5000 ms) makes no gap: the gaps are 1000 and 3000 ms.
  const [cell] = summarizeArrivals(
    [backToBack(1, [1000, 3000, 5000]), backToBack(2, [2000, 2000, 4000])],
    { "u:2s": { kind: "uniform", param: 2 } },
    { iter: true },
  );
  const fit = cell.connections!;
  assert.equal(fit.count, 4);
  assert.equal(fit.meanMs, 2000);
  assert.equal(fit.queueingMs, 2000);
  assert.equal(fit.deviationMs, 0);
  assert.ok(fit.asPredicted, fit.verdict);
  assert.match(fit.verdict, /, as queueing predicts \(queueing predicts 2000\.0 ms/);
});

Deno.test("summarizeArrivals() judges no connections against an external server", () => {
  const external = { ...backToBack(1, [1000, 3000]), target: "server 127.0.0.1:1", server: null };
  const [cell] = summarizeArrivals(
    [external],
    { "u:2s": { kind: "uniform", param: 2 } },
    { "server 127.0.0.1:1": false },
  );
  assert.equal(cell.connections, null);
  assert.equal(cell.data, null);
});
