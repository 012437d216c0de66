/**
 * Tests for the task server's per-connection log and its bound.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ConnectionLog } from "../../lib/reports/connection_log.ts";
import { emptyRecord } from "../../lib/server/session.ts";

function closed(port: number, openedAt: number, messages: number) {
  return {
    ...emptyRecord(`127.0.0.1:${port}`, "main", openedAt, "client"),
    closedAt: openedAt + 100,
    messages,
    bytesIn: 10 * messages,
    bytesOut: 5,
  };
}

Deno.test("ConnectionLog prints the reference's server log in open order", () => {
  const log = new ConnectionLog();
  // Records close out of order.
  log.add(closed(3, 1030, 3));
  log.add(closed(1, 1000, 3));
  log.add(closed(2, 1010, 1));
  assert.equal(log.size, 3);
  assert.deepEqual(log.format().split("\n"), [
    "127.0.0.1:1 requests=3 bytes_in=30 bytes_out=5 duration_ms=100.000",
    "127.0.0.1:2 requests=1 bytes_in=10 bytes_out=5 duration_ms=100.000",
    "127.0.0.1:3 requests=3 bytes_in=30 bytes_out=5 duration_ms=100.000",
  ]);
});

Deno.test("ConnectionLog keeps the first connections to close up to its limit and counts the rest", () => {
  const log = new ConnectionLog(2);
  for (let port = 1; port <= 5; port++) log.add(closed(port, 6000 - port * 1000, 1));
  assert.equal(log.size, 5);
  const lines = log.format().split("\n");
  assert.deepEqual(lines.slice(0, 2).map((line) => line.split(" ")[0]), [
    "127.0.0.1:2",
    "127.0.0.1:1",
  ]);
  assert.equal(
    lines[2],
    "(3 more connections not listed: the log keeps the first 2 to close; --csv FILE lists every connection)",
  );
  assert.equal(lines.length, 3);
});
