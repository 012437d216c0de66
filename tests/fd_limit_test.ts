/**
 * Tests of reading the open-file limit and of the advice given when it is too low.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fdAdvice, fdsNeeded, parseLimits, readFdLimit } from "../lib/fd_limit.ts";

Deno.test("parseLimits() reads the Max open files row", () => {
  const text = "Limit                     Soft Limit           Hard Limit           Units\n" +
    "Max cpu time              unlimited            unlimited            seconds\n" +
    "Max open files            1024                 524288               files\n";
  assert.deepEqual(parseLimits(text), { soft: 1024, hard: 524288 });
  assert.equal(parseLimits("nothing here"), undefined);
});

Deno.test("readFdLimit() reads this process's limit on Linux", () => {
  const limit = readFdLimit();
  if (Deno.build.os === "linux") {
    assert.ok(limit !== undefined && limit.soft > 0 && limit.hard >= limit.soft);
  }
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
