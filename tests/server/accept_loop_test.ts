/**
 * Tests of the accept loop's stop on scripted listeners: what it had taken but not served is
 * closed and counted, never dropped without a word.
 *
 * @module
 */

import assert from "node:assert/strict";
import { acceptLoop } from "../../lib/server/accept_loop.ts";
import type { ModeOptions, ServerEvent } from "../../lib/server/server_spec.ts";
import type { Conn, Listener } from "../../lib/net/transport.ts";
import { waitFor, within } from "../support/wait_for.ts";

/** A connection that only knows whether it was closed. */
function scriptedConn(peer: string): Conn & { closed: Promise<void> } {
  let close = () => {};
  const closed = new Promise<void>((resolve) => close = resolve);
  return {
    peer,
    closed,
    read: () => closed.then(() => null),
    write: () => Promise.resolve(),
    closeWrite: () => Promise.resolve(),
    close: () => close(),
  };
}

/**
 * A listener that hands out `conns` in turn, then waits until closed; its close says it had
 * taken `unserved` more.
 */
function scriptedListener(conns: Conn[], unserved = 0): Listener {
  let reject = (_: Error) => {};
  const closed = new Promise<never>((_, rejectClosed) => reject = rejectClosed);
  closed.catch(() => {});
  return {
    hostname: "127.0.0.1",
    port: 1,
    accept: () => {
      const conn = conns.shift();
      return conn ? Promise.resolve(conn) : closed;
    },
    close: () => {
      reject(new Deno.errors.BadResource("closed"));
      return unserved;
    },
  };
}

/** The loop's options with one connection at a time, waiting in the backlog beyond it. */
function oneSlot(events: ServerEvent[]): ModeOptions {
  const options: Partial<ModeOptions> = {
    maxConns: 1,
    overLimit: "wait",
    maxConnections: 0,
    drainMs: 0,
    onEvent: (event) => events.push(event),
  };
  return options as ModeOptions;
}

Deno.test("acceptLoop() counts a connection held for a slot as unserved when accepting stops", async () => {
  const events: ServerEvent[] = [];
  const served = scriptedConn("127.0.0.1:2");
  const held = scriptedConn("127.0.0.1:3");
  const stop = new AbortController();
  // Two accept queues: both accepts are under way before the first connection takes the slot,
  // so the second is held until a slot frees, as the backlog would hold it.
  const loop = acceptLoop(
    [scriptedListener([served]), scriptedListener([held])],
    oneSlot(events),
    stop.signal,
    (conn) => (conn as typeof served).closed,
    { sequential: false, worker: "main" },
  );
  await waitFor(() => events.some((event) => event.type === "open"), {
    what: "the first connection to open",
  });
  stop.abort();
  await within(loop, { what: "the loop to end" });
  await within(held.closed, { what: "the held connection to be closed" });
  assert.deepEqual(
    events.filter((event) => event.type !== "log").map((event) => event.type),
    ["open", "unserved"],
  );
  assert.deepEqual(events.find((event) => event.type === "unserved"), {
    type: "unserved",
    count: 1,
  });
});

Deno.test("acceptLoop() reports the connections its listeners close unserved", async () => {
  const events: ServerEvent[] = [];
  const stop = new AbortController();
  stop.abort();
  await acceptLoop(
    [scriptedListener([], 3), scriptedListener([], 0), scriptedListener([], 2)],
    oneSlot(events),
    stop.signal,
    () => Promise.resolve(),
    { sequential: false, worker: "main" },
  );
  assert.deepEqual(events, [{ type: "unserved", count: 5 }]);
});
