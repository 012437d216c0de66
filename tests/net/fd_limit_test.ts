/**
 * Tests of reading the open-file limit and of the advice given when it is too low.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  fdAdvice,
  fdsNeeded,
  parsePrlimit,
  raiseFdLimit,
  readFdLimit,
} from "../../lib/net/fd_limit.ts";

Deno.test("parsePrlimit() reads soft and hard limits", () => {
  assert.deepEqual(parsePrlimit("1024 524288\n"), { soft: 1024, hard: 524288 });
  assert.deepEqual(parsePrlimit(" unlimited unlimited"), {
    soft: Number.MAX_SAFE_INTEGER,
    hard: Number.MAX_SAFE_INTEGER,
  });
  assert.equal(parsePrlimit("nothing here"), undefined);
});

Deno.test("readFdLimit() and raiseFdLimit() work on this process on Linux", async () => {
  if (Deno.build.os !== "linux") return;
  const limit = await readFdLimit();
  assert.ok(limit !== undefined && limit.soft > 0 && limit.hard >= limit.soft);
  const raised = await raiseFdLimit(limit.hard);
  assert.equal(raised?.soft, limit.hard);
});

Deno.test("fdAdvice() names the count, the limit and the command that fixes it", () => {
  const advice = fdAdvice(10_000, { soft: 1024, hard: 4096 });
  assert.match(
    advice,
    /^10000 connections need about 10064 open files, but the limit is 1024 \(hard 4096\)/,
  );
  assert.match(advice, /ulimit -n 10064/);
  assert.equal(fdsNeeded(100), 164);
});
