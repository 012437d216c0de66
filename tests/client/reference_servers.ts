/**
 * Stand-ins of servers that the reference programs cannot play on cue, written as their Python
 * reads, for testing socklab's clients against them: each reads with `recv(1024)` and sends
 * without a newline. `reference/004_…`'s Problem-2 server is not printed whole (its connection
 * handler is missing), so it has a stand-in; the printed servers themselves run in
 * `tests/conformance/reference_programs_test.ts`. The stand-ins run in the test process on a
 * free loopback port and record what they received.
 *
 * @module
 */

/** A stand-in server on 127.0.0.1. */
export interface StandIn {
  port: number;
  /** What each `recv(1024)` returned, decoded, in order of arrival. */
  received: string[];
  /** Connections accepted so far. */
  accepted: number;
  /** Stops listening, closes every connection and waits for their handlers. */
  close(): Promise<void>;
}

/** What a stand-in does with one accepted connection; `recv` is `conn.recv(1024)`. */
type Handler = (
  conn: Deno.Conn,
  recv: () => Promise<string | null>,
  send: (text: string) => Promise<void>,
) => Promise<void>;

import { swapCase } from "../../lib/protocols/task.ts";
import { formatEvalReply } from "../../lib/protocols/expr.ts";
import { sleep } from "../support/wait_for.ts";

const encoder = new TextEncoder();

function standIn(handler: Handler): StandIn {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const handlers: Promise<void>[] = [];
  const server: StandIn = {
    port: listener.addr.port,
    received: [],
    accepted: 0,
    async close() {
      listener.close();
      for (const conn of conns) conn.close();
      await accepting;
      await Promise.all(handlers);
    },
  };
  const serve = async (conn: Deno.Conn) => {
    const buffer = new Uint8Array(1024);
    const decoder = new TextDecoder();
    const recv = async () => {
      const n = await conn.read(buffer);
      if (n === null) return null;
      const text = decoder.decode(buffer.subarray(0, n));
      server.received.push(text);
      return text;
    };
    const send = async (text: string) => {
      await conn.write(encoder.encode(text));
    };
    try {
      await handler(conn, recv, send);
    } catch { /* the test closed it, or the client reset it */ }
    if (conns.delete(conn)) conn.close();
  };
  const accepting = (async () => {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        return;
      }
      server.accepted++;
      conns.add(conn);
      handlers.push(serve(conn));
    }
  })();
  return server;
}

/** `process_request` of `reference/004_…`, with socklab's evaluator standing in for `eval`. */
function processRequest(data: string): string {
  const bar = data.indexOf("|");
  if (bar < 0) return "Error: not enough values to unpack (expected 2, got 1)";
  const [choice, payload] = [data.slice(0, bar), data.slice(bar + 1)];
  if (choice === "1") return swapCase(payload);
  if (choice === "2") return formatEvalReply(payload);
  if (choice === "3") return [...payload].reverse().join("");
  return "Invalid choice";
}

/**
 * `reference/004_…`'s Problem-1 server, recording every `recv`: for tests of what socklab's
 * menu client sends (its Exit, the end of its input), which the printed server cannot show.
 */
export function taskServer(): StandIn {
  return standIn(async (_conn, recv, send) => {
    for (let data = await recv(); data !== null; data = await recv()) {
      await send(processRequest(data));
    }
  });
}

/** `reference/004_…`'s Problem-2 server: one `recv`, a delay, the data reversed with no newline, close. */
export function oneShotServer(delayMs: number): StandIn {
  return standIn(async (_conn, recv, send) => {
    const data = await recv();
    if (data === null) return;
    await sleep(delayMs);
    await send([...data].reverse().join(""));
  });
}

/** A server that accepts and never sends (it reads, so the client's writes go through). */
export function silentServer(): StandIn {
  return standIn(async (_conn, recv) => {
    while (await recv() !== null) { /* recorded by recv */ }
  });
}

/** A server that accepts and closes at once, cleanly. */
export function closingServer(): StandIn {
  return standIn(async () => {});
}
