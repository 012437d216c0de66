/**
 * Tests of {@link ArrivalGaps}: times given out of order within the window give the gaps of
 * the sorted times, a time later than that keeps the count, and memory stays bounded.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ArrivalGaps, REORDER_WINDOW } from "../../lib/stats/arrival_gaps.ts";
import { SampleStats } from "../../lib/stats/sample_stats.ts";
import { createRng } from "../../lib/stats/rng.ts";

/** Ascending times with random gaps of 0–2 ms, as opens under churn. */
function ascendingTimes(count: number, seed: number): number[] {
  const rng = createRng(seed);
  const times: number[] = [];
  let at = 1_700_000_000_000;
  for (let i = 0; i < count; i++) times.push(at += Math.round(rng() * 2000) / 1000);
  return times;
}

/** The summary of the gaps between `ascending` times, added in order. */
function referenceSummary(ascending: number[]) {
  const gaps = new SampleStats();
  for (let i = 1; i < ascending.length; i++) gaps.add(ascending[i] - ascending[i - 1]);
  return gaps.summary();
}

Deno.test("ArrivalGaps gives the sorted times' gaps though times came out of order within the window", () => {
  const times = ascendingTimes(5 * REORDER_WINDOW + 123, 7);
  // Each block of 1,000 arrives backwards, as reports of several workers interleave.
  const given: number[] = [];
  for (let i = 0; i < times.length; i += 1000) given.push(...times.slice(i, i + 1000).reverse());
  const arrivals = new ArrivalGaps();
  for (const at of given) arrivals.add(at);
  assert.deepEqual(arrivals.summary(), referenceSummary(times));
});

Deno.test("ArrivalGaps.summary() changes nothing: later times go on from where it was", () => {
  const times = ascendingTimes(3 * REORDER_WINDOW, 11);
  const arrivals = new ArrivalGaps();
  times.slice(0, REORDER_WINDOW * 2 + 10).forEach((at) => arrivals.add(at));
  const early = arrivals.summary();
  assert.equal(early.count, REORDER_WINDOW * 2 + 9);
  times.slice(REORDER_WINDOW * 2 + 10).forEach((at) => arrivals.add(at));
  assert.deepEqual(arrivals.summary(), referenceSummary(times));
});

Deno.test("ArrivalGaps counts a time later than the window as a gap of 0, keeping the count", () => {
  const times = ascendingTimes(4 * REORDER_WINDOW, 3);
  const arrivals = new ArrivalGaps();
  times.slice(1).forEach((at) => arrivals.add(at));
  arrivals.add(times[0]);
  const summary = arrivals.summary();
  assert.equal(summary.count, times.length - 1);
  assert.equal(summary.min, 0);
  assert.ok(summary.max <= 2, `max ${summary.max}`);
});

Deno.test("ArrivalGaps holds at most twice the window however many times it is given", () => {
  const arrivals = new ArrivalGaps();
  let most = 0;
  for (let i = 0; i < 20 * REORDER_WINDOW; i++) {
    arrivals.add(i * 0.05);
    most = Math.max(most, arrivals.waiting);
  }
  assert.equal(most, 2 * REORDER_WINDOW);
  assert.equal(arrivals.summary().count, 20 * REORDER_WINDOW - 1);
});
