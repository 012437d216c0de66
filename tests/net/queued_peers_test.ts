/**
 * Tests of {@link parseQueuedPeers} on `ss -Htanp` output as seen on Linux.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseQueuedPeers } from "../../lib/net/queued_peers.ts";

const SS = [
  'LISTEN 2      511    127.0.0.1:33449   0.0.0.0:*     users:(("deno",pid=18839,fd=20))',
  'LISTEN 0      511    127.0.0.1:33449   0.0.0.0:*     users:(("deno",pid=18840,fd=20))',
  "ESTAB  0      0      127.0.0.1:33449 127.0.0.1:36776",
  'ESTAB  0      0      127.0.0.1:33449 127.0.0.1:36762 users:(("deno",pid=18840,fd=22))',
  "ESTAB  0      0      127.0.0.1:33449 127.0.0.1:36792",
  "",
].join("\n");

Deno.test("parseQueuedPeers() gives the peers waiting in a process's accept queues", () => {
  assert.deepEqual(parseQueuedPeers(SS, 18839), ["127.0.0.1:36776", "127.0.0.1:36792"]);
});

Deno.test("parseQueuedPeers() counts unknown peers when the queues and connections disagree", () => {
  assert.deepEqual(parseQueuedPeers(SS.replace("LISTEN 2", "LISTEN 3"), 18839), [
    "unknown:0",
    "unknown:0",
    "unknown:0",
  ]);
  assert.deepEqual(parseQueuedPeers(SS, 18840), []);
});
