/**
 * Tests of the timestamp client's event queue: due order, and a fixed order among items due
 * together.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DueQueue } from "../../lib/client/due_queue.ts";
import { createRng } from "../../lib/stats/rng.ts";

function drain<T>(queue: DueQueue<T>): T[] {
  const items: T[] = [];
  for (let item = queue.pop(); item !== undefined; item = queue.pop()) items.push(item);
  return items;
}

Deno.test("DueQueue.pop() returns items by due time, then by rank", () => {
  const rng = createRng(7);
  const queue = new DueQueue<{ due: number; rank: number }>();
  const entries = Array.from({ length: 500 }, (_, rank) => ({ due: Math.floor(rng() * 20), rank }));
  for (const entry of entries) queue.push(entry.due, entry.rank, entry);
  assert.equal(queue.size, 500);
  assert.equal(queue.peek(), Math.min(...entries.map((e) => e.due)));
  const sorted = [...entries].sort((a, b) => a.due - b.due || a.rank - b.rank);
  assert.deepEqual(drain(queue), sorted);
  assert.equal(queue.peek(), undefined);
});

Deno.test("DueQueue keeps the rank order of items due together when they are pushed back", () => {
  const queue = new DueQueue<number>();
  for (const rank of [3, 1, 4, 0, 2]) queue.push(100, rank, rank);
  const first = drain(queue);
  // The next tick: pushed back in the order they came out, all due at the same time again.
  for (const rank of first) queue.push(200, rank, rank);
  assert.deepEqual(first, [0, 1, 2, 3, 4]);
  assert.deepEqual(drain(queue), [0, 1, 2, 3, 4]);
});
