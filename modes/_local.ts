/**
 * Serving connections in the current thread: the handler that runs a session with the spec's
 * protocol and limits and reports its record (used by `iter`, `async` and every pool member),
 * and the factory of the two modes that accept and serve in one thread.
 *
 * @module
 */

import { createProtocol } from "../lib/protocols/mod.ts";
import { listenShared, listenTcp } from "../lib/net/listen.ts";
import type { Mode, ModeOptions, ServerSpec } from "../lib/server/server_spec.ts";
import {
  type ConnectionRecord,
  type Duplex,
  epochNow,
  runSession,
  type SessionOptions,
} from "../lib/server/session.ts";
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
  return (conn, peer, openedAt) => serveHere(conn, peer, openedAt, worker, options, session);
}

/**
 * How many listeners `async` opens on its port with `reusePort`. `Deno.listen` has a fixed
 * backlog of 511: a burst of a thousand connects overflows one queue and the kernel retries
 * the dropped handshakes a second later, which a benchmark would mistake for a slow server.
 */
export const ACCEPT_QUEUES = 4;

/**
 * A mode that accepts and serves in this thread: `iter` in turn from one accept queue,
 * `async` concurrently from {@link ACCEPT_QUEUES} queues.
 */
export function localMode(name: string, description: string, sequential: boolean): Mode {
  return {
    name,
    description,
    layout: () =>
      sequential
        ? "one thread, one connection at a time"
        : `one thread, ${ACCEPT_QUEUES} accept queues`,
    async run(options, signal) {
      const listeners = sequential
        ? [listenTcp(options.host, options.port)]
        : listenShared(options.host, options.port, ACCEPT_QUEUES);
      const addr = listeners[0].addr;
      options.onEvent({ type: "listening", hostname: addr.hostname, port: addr.port });
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
