/**
 * Tests of {@link parseAcceptQueues} on `ss -Htlnpe` output as seen on Linux.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseAcceptQueues } from "../../lib/net/accept_queues.ts";

const SS = [
  'LISTEN 68     4096   127.0.0.1:38065   0.0.0.0:*     users:(("deno",pid=16552,fd=22)) ino:2784375 sk:6e46 cgroup:/ <->',
  'LISTEN 3      4096   127.0.0.1:38065   0.0.0.0:*     users:(("deno",pid=16552,fd=23)) ino:2784380 sk:6e48 cgroup:/ <->',
  'LISTEN 5      4096   127.0.0.1:38065   0.0.0.0:*     users:(("deno",pid=16553,fd=22)) ino:2784390 sk:6e49 cgroup:/ <->',
  "",
].join("\n");

Deno.test("parseAcceptQueues() gives each of a process's listening sockets' queue by inode", () => {
  assert.deepEqual([...parseAcceptQueues(SS, 16552)], [[2784375, 68], [2784380, 3]]);
  assert.deepEqual([...parseAcceptQueues(SS, 1655)], []);
});
