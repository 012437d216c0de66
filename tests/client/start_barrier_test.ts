/**
 * Tests of the common start of the timestamp client and the load generator: gathering every
 * greeting, starting after a stall only once every connect ended, one start time for every view
 * of the barrier, and workers meeting before they connect.
 *
 * @module
 */

import assert from "node:assert/strict";
import { StartBarrier } from "../../lib/client/start_barrier.ts";
import { within } from "../support/wait_for.ts";

/**
 * Whether `promise` settled within `ms`: for a promise that must not settle yet (a busy machine
 * only makes it less likely to settle in time, so the check cannot fail wrongly).
 */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise((resolve) => timer = setTimeout(resolve, ms, false));
  const settled = await Promise.race([promise.then(() => true), late]);
  clearTimeout(timer);
  return settled as boolean;
}

/** `promise`'s value; the bound only turns a barrier that never opens into a failure. */
function settles<T>(promise: Promise<T>, what: string): Promise<T> {
  return within(promise, { what, timeoutMs: 10_000 });
}

Deno.test("StartBarrier.gather() returns as the last worker is greeted", async () => {
  const barrier = new StartBarrier();
  barrier.connected(3);
  barrier.greeted(2);
  // A stall time far beyond the guard's: only the last greeting can end the gathering in time.
  const gathering = barrier.gather(3, 3_600_000);
  assert.equal(await settlesWithin(gathering, 100), false);
  barrier.greeted();
  await settles(gathering, "the gathering once the last worker was greeted");
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
  await settles(gathering, "the gathering once every connect ended");
});

Deno.test("StartBarrier.startAt() gives every view the released time", async () => {
  const parent = new StartBarrier();
  const worker = new StartBarrier(parent.buffer);
  const waiting = worker.startAt();
  assert.equal(await settlesWithin(waiting, 50), false);
  parent.release(1234.5);
  // A timer keeps this thread's event loop turning: the wake-up is a V8 task, which Deno
  // does not wait for on its own (a Web Worker waits anyway, for its messages).
  assert.equal(await settles(waiting, "the worker's view once released"), 1234.5);
  assert.equal(await new StartBarrier(parent.buffer).startAt(), 1234.5);
});

Deno.test("StartBarrier.arrive() holds every worker until the last one arrives", async () => {
  const first = new StartBarrier();
  const second = new StartBarrier(first.buffer);
  const waiting = first.arrive(2);
  assert.equal(await settlesWithin(waiting, 100), false);
  const last = second.arrive(2);
  await settles(Promise.all([waiting, last]), "both workers once the second arrived");
  await settles(new StartBarrier().arrive(1), "a worker that is alone");
});
