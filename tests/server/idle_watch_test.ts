/**
 * Tests of the shared idle-timeout watch, with an injected clock.
 *
 * @module
 */

import assert from "node:assert/strict";
import { IdleWatch } from "../../lib/server/idle_watch.ts";

Deno.test("IdleWatch closes only connections silent for longer than the timeout", () => {
  let now = 0;
  const watch = new IdleWatch(1000, () => now);
  const closed: string[] = [];
  const quiet = watch.watch(() => closed.push("quiet"));
  const busy = watch.watch(() => closed.push("busy"));
  now = 900;
  watch.touch(busy);
  watch.sweep();
  assert.deepEqual(closed, []);
  now = 1500;
  watch.sweep();
  assert.deepEqual(closed, ["quiet"]);
  assert.equal(quiet.timedOut, true);
  assert.equal(busy.timedOut, false);
  watch.forget(busy);
  now = 5000;
  watch.sweep();
  assert.deepEqual(closed, ["quiet"]);
});
