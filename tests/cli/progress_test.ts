/**
 * Tests of the progress reporter with an injected clock and sink.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Progress } from "../../lib/cli/progress.ts";

Deno.test("Progress weighs steps by their estimates for the ETA", () => {
  let now = 0;
  const out: string[] = [];
  const progress = new Progress(10_000, { live: false, write: (t) => out.push(t), now: () => now });
  now = 2000;
  progress.step(1000, "cheap step");
  now = 4000;
  progress.step(4000, "dear step");
  assert.deepEqual(out, [
    "[ 10%] cheap step; elapsed 2.0s, ETA 18.0s\n",
    "[ 50%] dear step; elapsed 4.0s, ETA 4.0s\n",
  ]);
});

Deno.test("Progress rewrites one line on a terminal", () => {
  const out: string[] = [];
  const progress = new Progress(100, { live: true, write: (t) => out.push(t), now: () => 0 });
  progress.step(100, "done");
  progress.finish();
  assert.ok(out[0].startsWith("\r\x1b[2K[100%] done"));
  assert.equal(out[1], "\n");
});
