/**
 * `async`: one event loop serves every connection, the Deno counterpart of an epoll server.
 *
 * @module
 */

import { localMode } from "./_local.ts";

/** The event-loop mode. */
export const asyncMode = localMode(
  "async",
  "one event loop serves all connections (the epoll design)",
  false,
  "node",
);
