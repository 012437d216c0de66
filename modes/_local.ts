/**
 * Serving connections in the current thread: the handler that runs a session with the spec's
 * protocol and limits and reports its record (used by `iter`, `async` and every pool member),
 * and the factory of the two modes that accept and serve in one thread.
 *
 * @module
 */

import { createProtocol } from "../lib/protocols/mod.ts";
import { listenOn, listenShared } from "../lib/net/listen.ts";
import type { IoName, Transport } from "../lib/net/transport.ts";
import type { Mode, ModeOptions, ServerSpec } from "../lib/server/server_spec.ts";
import {
  type ConnectionRecord,
  type Duplex,
  runSession,
  type SessionOptions,
} from "../lib/server/session.ts";
import { epochNow } from "../lib/stats/epoch_now.ts";
import { acceptLoop, type ConnectionHandler } from "../lib/server/accept_loop.ts";

/**
 * Session options for a spec; `log` receives the `--verbose` lines and `onSample`, when
 * given, every data sample.
 */
export function sessionOptions(
  spec: ServerSpec,
  log: (line: string) => void,
  live?: Set<ConnectionRecord>,
  onSample?: SessionOptions["onSample"],
): SessionOptions {
  return {
    live,
    onSample,
    protocol: createProtocol(spec.protocol),
    framing: spec.framing,
    maxLine: spec.maxLine,
    verbose: spec.verbose,
    idleTimeoutMs: spec.idleTimeoutMs,
    requestTimeoutMs: spec.requestTimeoutMs,
    firstByteTimeoutMs: spec.firstByteTimeoutMs,
    log,
    now: epochNow,
  };
}

/** Serves `duplex` here and reports the record as a close event. */
export async function serveHere(
  duplex: Duplex,
  peer: string,
  openedAt: number,
  worker: string,
  options: ModeOptions,
  session: SessionOptions,
): Promise<void> {
  const record = await runSession(duplex, peer, openedAt, worker, session);
  options.onEvent({ type: "close", record });
}

/** A handler for the accept loop that serves each connection in this thread. */
export function localHandler(
  options: ModeOptions,
  worker: string,
  live?: Set<ConnectionRecord>,
  onSample?: SessionOptions["onSample"],
): ConnectionHandler {
  const session = sessionOptions(
    options,
    (line) => options.onEvent({ type: "log", line }),
    live,
    onSample,
  );
  return (conn, openedAt) => serveHere(conn, conn.peer, openedAt, worker, options, session);
}

/** The connect burst `async` takes without the kernel dropping handshakes. */
const CONNECT_BURST = 2048;

/**
 * How many listeners `async` opens on its port with `reusePort`: enough backlog for
 * {@link CONNECT_BURST} connects. `Deno.listen` has a fixed backlog of 511, and a burst
 * that overflows it makes the kernel retry the dropped handshakes a second later, which a
 * benchmark would mistake for a slow server.
 */
export function acceptQueues(transport: Transport): number {
  return Math.ceil(CONNECT_BURST / transport.backlog);
}

/**
 * A mode that accepts and serves in this thread: `iter` in turn from one accept queue,
 * `async` concurrently from {@link acceptQueues} queues.
 */
export function localMode(
  name: string,
  description: string,
  sequential: boolean,
  defaultIo: IoName,
): Mode {
  return {
    name,
    description,
    defaultIo: () => defaultIo,
    layout: () => sequential ? "one thread, one connection at a time" : "one thread",
    servesOneAtATime: sequential,
    async run(options, signal) {
      // Loaded on use: the members that serve one relayed connection never listen.
      const { transportFor } = await import("../lib/net/transports.ts");
      const transport = transportFor(options.io);
      const listeners = sequential
        ? [await listenOn(transport, options)]
        : await listenShared(transport, options.host, options.port, acceptQueues(transport));
      const { hostname, port } = listeners[0];
      options.onEvent({ type: "listening", hostname, port });
      // In this thread each sample can go to the server as an event of its own.
      const onSample: SessionOptions["onSample"] = options.samples
        ? (peer, worker, at, interval) =>
          options.onEvent({ type: "samples", rows: [[peer, worker, at, interval ?? null]] })
        : undefined;
      const handler = localHandler(options, "main", undefined, onSample);
      await acceptLoop(listeners, options, signal, handler, {
        sequential,
        worker: "main",
      });
    },
  };
}
