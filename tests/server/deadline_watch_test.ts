/**
 * Tests of the shared idle and request deadline watch, with an injected clock.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DeadlineWatch } from "../../lib/server/deadline_watch.ts";

Deno.test("DeadlineWatch closes only connections silent for longer than the idle timeout", () => {
  let now = 0;
  const watch = new DeadlineWatch({ idleMs: 1000, requestMs: 0 }, () => now);
  const closed: string[] = [];
  const quiet = watch.watch(() => closed.push("quiet"));
  const busy = watch.watch(() => closed.push("busy"));
  now = 900;
  watch.touch(busy, false);
  watch.sweep();
  assert.deepEqual(closed, []);
  now = 1500;
  watch.sweep();
  assert.deepEqual(closed, ["quiet"]);
  assert.equal(quiet.expired, "idle");
  assert.equal(busy.expired, undefined);
  watch.forget(busy);
  now = 5000;
  watch.sweep();
  assert.deepEqual(closed, ["quiet"]);
});

Deno.test("DeadlineWatch: trickled bytes do not extend the request deadline", () => {
  let now = 0;
  const watch = new DeadlineWatch({ idleMs: 10_000, requestMs: 1000 }, () => now);
  const closed: string[] = [];
  const trickle = watch.watch(() => closed.push("trickle"));
  const prompt = watch.watch(() => closed.push("prompt"));
  for (now = 100; now <= 900; now += 100) {
    watch.touch(trickle, true); // one more byte of the same line
    watch.touch(prompt, now % 200 !== 0); // lines that complete within 100 ms
    watch.sweep();
  }
  assert.deepEqual(closed, []);
  now = 1150;
  watch.touch(trickle, true);
  watch.sweep();
  assert.deepEqual(closed, ["trickle"]);
  assert.equal(trickle.expired, "request");
  assert.equal(prompt.expired, undefined);
});

Deno.test("DeadlineWatch: a request noted by field writes expires, an idle connection never", () => {
  // The load generator's way: no idle limit, the send time written before each request.
  let now = 0;
  const watch = new DeadlineWatch({ idleMs: 0, requestMs: 300 }, () => now);
  const closed: string[] = [];
  const late = watch.watch(() => closed.push("late"));
  const idle = watch.watch(() => closed.push("idle"));
  late.requestStartedAt = 100;
  now = 400;
  watch.sweep();
  assert.deepEqual(closed, []);
  now = 10_000;
  watch.sweep();
  assert.deepEqual(closed, ["late"]);
  assert.equal(late.expired, "request");
  assert.equal(idle.expired, undefined);
});

Deno.test("DeadlineWatch closes a connection that sent no byte within the first-byte limit", () => {
  let now = 0;
  const watch = new DeadlineWatch({ idleMs: 300_000, requestMs: 0, firstByteMs: 1000 }, () => now);
  const closed: string[] = [];
  const silent = watch.watch(() => closed.push("silent"));
  const spoke = watch.watch(() => closed.push("spoke"));
  now = 900;
  watch.touch(spoke, false);
  now = 1500;
  watch.sweep();
  assert.deepEqual(closed, ["silent"]);
  assert.equal(silent.expired, "first-byte");
  // Once it has spoken, only the idle limit applies.
  now = 100_000;
  watch.sweep();
  assert.deepEqual(closed, ["silent"]);
  watch.forget(spoke);
});
