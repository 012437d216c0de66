/** Tests for lib/bench/start_at.ts and `bench scale --start-at` in the past. */

import assert from "node:assert/strict";
import { parseStartAt, START_AT_TOLERANCE_MS, startAtProblem } from "../../lib/bench/start_at.ts";
import { runSocklab } from "../support.ts";

Deno.test("parseStartAt() takes an ISO time or epoch milliseconds, nothing else", () => {
  assert.equal(parseStartAt("2030-01-02T03:04:05Z"), Date.UTC(2030, 0, 2, 3, 4, 5));
  assert.equal(parseStartAt("2030-01-02T03:04:05.250+01:00"), Date.UTC(2030, 0, 2, 2, 4, 5, 250));
  assert.equal(parseStartAt("1893456000000"), 1893456000000);
  for (const text of ["", "soon", "12:00", "2030-13-45T99:99:99Z", "1e12", "-5"]) {
    assert.equal(parseStartAt(text), undefined, text);
  }
});

Deno.test("startAtProblem() lets a time just past pass and names one too far past", () => {
  const at = Date.UTC(2030, 0, 2, 3, 4, 5);
  assert.equal(startAtProblem(at, at - 60_000), undefined);
  assert.equal(startAtProblem(at, at + START_AT_TOLERANCE_MS), undefined);
  assert.equal(
    startAtProblem(at, at + 12_345),
    'Invalid --start-at "2030-01-02T03:04:05.000Z": it was 12.3 s ago; give a time a few seconds ahead, the same for every load host',
  );
});

Deno.test("bench scale --start-at in the past fails at once, before anything starts", async () => {
  const started = performance.now();
  const run = await runSocklab(["bench", "scale", "--quick", "--start-at", "2020-01-01T00:00:00Z"]);
  assert.equal(run.code, 2);
  assert.match(
    run.stderr,
    /^socklab: Invalid --start-at "2020-01-01T00:00:00\.000Z": it was \d+\.\d s ago/,
  );
  assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
  assert.ok(performance.now() - started < 5000, "nothing was run first");
});
