/**
 * Tests of the common start of the timestamp client and the load generator: gathering every
 * greeting, starting after a stall only once every connect ended, one start time for every view
 * of the barrier, and workers meeting before they connect.
 *
 * @module
 */

import assert from "node:assert/strict";
import { StartBarrier } from "../../lib/client/start_barrier.ts";

/** Whether `promise` settled within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise((resolve) => timer = setTimeout(resolve, ms, false));
  const settled = await Promise.race([promise.then(() => true), late]);
  clearTimeout(timer);
  return settled as boolean;
}

Deno.test("StartBarrier.gather() returns as the last worker is greeted", async () => {
  const barrier = new StartBarrier();
  barrier.connected(3);
  barrier.greeted(2);
  const gathering = barrier.gather(3, 10_000);
  assert.equal(await settlesWithin(gathering, 100), false);
  barrier.greeted();
  assert.equal(await settlesWithin(gathering, 1000), true);
});

Deno.test("StartBarrier.gather() starts after a stall only once every connect ended", async () => {
  const barrier = new StartBarrier();
  barrier.connected(2);
  barrier.greeted(1);
  const gathering = barrier.gather(3, 50);
  // A connect still under way (a retransmitted SYN) holds the start back.
  assert.equal(await settlesWithin(gathering, 300), false);
  barrier.connected();
  // Every connect ended, greetings stalled (an iterative server): start those greeted.
  assert.equal(await settlesWithin(gathering, 1000), true);
});

Deno.test("StartBarrier.startAt() gives every view the released time", async () => {
  const parent = new StartBarrier();
  const worker = new StartBarrier(parent.buffer);
  const waiting = worker.startAt();
  assert.equal(await settlesWithin(waiting, 50), false);
  parent.release(1234.5);
  // A timer keeps this thread's event loop turning: the wake-up is a V8 task, which Deno
  // does not wait for on its own (a Web Worker waits anyway, for its messages).
  assert.equal(await settlesWithin(waiting, 1000), true);
  assert.equal(await waiting, 1234.5);
  assert.equal(await new StartBarrier(parent.buffer).startAt(), 1234.5);
});

Deno.test("StartBarrier.arrive() holds every worker until the last one arrives", async () => {
  const first = new StartBarrier();
  const second = new StartBarrier(first.buffer);
  const waiting = first.arrive(2);
  assert.equal(await settlesWithin(waiting, 100), false);
  const last = second.arrive(2);
  assert.equal(await settlesWithin(Promise.all([waiting, last]), 1000), true);
  assert.equal(await settlesWithin(new StartBarrier().arrive(1), 1000), true, "alone");
});
