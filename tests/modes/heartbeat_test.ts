/**
 * Tests of {@link HeartbeatWatch} on an injected clock: the parent's own stall is not silence,
 * a member silent on the parent's time is killed, and one stopped by a signal sooner.
 *
 * @module
 */

import assert from "node:assert/strict";
import { HeartbeatWatch, SILENCE_LIMIT_MS, STOPPED_LIMIT_MS } from "../../modes/_heartbeat.ts";
import type { Member } from "../../modes/_member.ts";
import { HEARTBEAT_MS } from "../../modes/_member_messages.ts";

function fakeMember(stopped?: boolean): Member & { killedFor: string[] } {
  const killedFor: string[] = [];
  return {
    killedFor,
    send() {},
    kill: (reason) => void killedFor.push(reason),
    ended: new Promise(() => {}),
    ...(stopped === undefined ? {} : { stopped: () => Promise.resolve(stopped) }),
  };
}

/** Looks on time, as the interval would, until `member` is killed; returns the time it took. */
function lookUntilKilled(
  watch: HeartbeatWatch,
  clock: { now: number },
  member: { killedFor: string[] },
) {
  let silentMs = 0;
  while (member.killedFor.length === 0 && silentMs < 2 * SILENCE_LIMIT_MS) {
    clock.now += HEARTBEAT_MS;
    silentMs += HEARTBEAT_MS;
    watch.look();
  }
  return silentMs;
}

Deno.test("HeartbeatWatch.look() does not count the parent's own stall as members' silence", () => {
  const clock = { now: 0 };
  const watch = new HeartbeatWatch(() => clock.now);
  const member = fakeMember();
  watch.watch(member);
  clock.now += 60_000; // the parent was stopped (Ctrl-Z) for a minute: its look comes late
  watch.look();
  assert.deepEqual(member.killedFor, []);
  const silentMs = lookUntilKilled(watch, clock, member);
  // With the late look's own period on time, just past the limit: not a minute early.
  assert.equal(silentMs, SILENCE_LIMIT_MS);
  assert.match(member.killedFor[0], /^stopped responding \(no heartbeat for 3\.\d s\)$/);
});

Deno.test("HeartbeatWatch.heard() keeps a member alive", () => {
  const clock = { now: 0 };
  const watch = new HeartbeatWatch(() => clock.now);
  const member = fakeMember();
  watch.watch(member);
  for (let i = 0; i < 40; i++) {
    clock.now += HEARTBEAT_MS;
    watch.heard(member);
    watch.look();
  }
  assert.deepEqual(member.killedFor, []);
  watch.forget(member);
});

Deno.test("HeartbeatWatch.look() kills a member stopped by a signal after a short silence", async () => {
  const clock = { now: 0 };
  const watch = new HeartbeatWatch(() => clock.now);
  const member = fakeMember(true);
  watch.watch(member);
  let silentMs = 0;
  while (member.killedFor.length === 0 && silentMs < SILENCE_LIMIT_MS) {
    clock.now += HEARTBEAT_MS;
    silentMs += HEARTBEAT_MS;
    watch.look();
    await Promise.resolve(); // the answer to "stopped?"
  }
  assert.ok(silentMs > STOPPED_LIMIT_MS && silentMs < SILENCE_LIMIT_MS, `${silentMs} ms`);
  assert.match(member.killedFor[0], /^stopped by a signal/);
});
