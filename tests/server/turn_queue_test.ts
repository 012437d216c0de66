/**
 * Tests of {@link TurnQueue}: waiters go in order, one per timer turn, so timers and sockets
 * get a turn between them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { TurnQueue } from "../../lib/server/turn_queue.ts";

Deno.test("TurnQueue.next() lets waiters go in order, one per timer turn", async () => {
  const turns = new TurnQueue();
  const order: string[] = [];
  const waiters = ["a", "b", "c"].map((name) => turns.next().then(() => void order.push(name)));
  assert.ok(turns.busy);
  // A timer set after the first waiter runs before the last one goes.
  const between = new Promise<void>((resolve) =>
    setTimeout(() => resolve(void order.push("timer")))
  );
  await Promise.all([...waiters, between]);
  assert.equal(order[0], "a");
  assert.ok(order.indexOf("timer") < order.indexOf("c"), order.join(", "));
  assert.deepEqual(order.filter((name) => name !== "timer"), ["a", "b", "c"]);
  assert.ok(!turns.busy);
});
