/**
 * Opening listeners on a transport, with the errors a user can act on: port in use,
 * permission denied, an address that is not this machine's.
 *
 * @module
 */

import { ServerStartError } from "./server_start_error.ts";
import { sharedPortSupported } from "./shared_port.ts";
import { formatHostPort, type Listener, type ListenOptions, type Transport } from "./transport.ts";

/** Listens as `options` say, failing with a {@link ServerStartError} a user can act on. */
export async function listenOn(transport: Transport, options: ListenOptions): Promise<Listener> {
  try {
    return await transport.listen(options);
  } catch (error) {
    throw startError(error, formatHostPort(options.host, options.port));
  }
}

function startError(error: unknown, where: string): ServerStartError {
  if (error instanceof Deno.errors.AddrInUse) {
    return new ServerStartError(
      `Cannot listen on ${where}: the port is already in use; choose another --port or stop the program using it`,
    );
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new ServerStartError(
      `Cannot listen on ${where}: permission denied; ports below 1024 need privileges, choose --port 1024 or above`,
    );
  }
  if (error instanceof Deno.errors.AddrNotAvailable) {
    return new ServerStartError(
      `Cannot listen on ${where}: the address is not available on this machine; check --host`,
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new ServerStartError(`Cannot listen on ${where}: ${reason}; check --host and --port`);
}

/** A port kept for the listeners that will share it with `reusePort`. */
export interface PortReservation {
  readonly port: number;
  /** Lets the port go; call it once those listeners are open. */
  release(): void;
}

/**
 * Checks that `port` is free with a plain listen, which fails even when other processes share
 * the port with `reusePort`, and keeps it (the chosen one when 0 was asked for) for `reusePort`
 * listeners. A chosen port is an ephemeral one: left free until the listeners bind it (a pool's
 * members take a process start or more), any connect on the machine may take it as its local
 * port, and the members fail with "port already in use" (seen under the test suite). So a
 * `reusePort` listener of its own holds it until {@link PortReservation.release}; it never
 * accepts, and nobody can connect to it, since the port is announced only after the release. A
 * port the user gave is not held: a client already trying it would be queued in the holder
 * and reset.
 */
export function reservePort(host: string, port: number): PortReservation {
  let probe: Deno.TcpListener;
  try {
    probe = Deno.listen({ hostname: host, port, transport: "tcp" });
  } catch (error) {
    throw startError(error, formatHostPort(host, port));
  }
  const chosen = probe.addr.port;
  probe.close();
  if (port !== 0) return { port: chosen, release: () => {} };
  let holder: Deno.TcpListener | undefined;
  try {
    // At once, in the same turn: the port was free for no more than these two calls.
    holder = Deno.listen({ hostname: host, port: chosen, reusePort: true, transport: "tcp" });
  } catch {
    // Taken meanwhile after all: the listeners will say so, as they would have.
  }
  return {
    port: chosen,
    release() {
      holder?.close();
      holder = undefined;
    },
  };
}

/**
 * Opens `count` listeners sharing one free port with `reusePort` and this process's
 * descriptors; one listener where `reusePort` does not spread connections over them.
 */
export async function listenShared(
  transport: Transport,
  host: string,
  port: number,
  count: number,
): Promise<Listener[]> {
  if (!sharedPortSupported()) return [await listenOn(transport, { host, port })];
  const reserved = reservePort(host, port);
  const listeners: Listener[] = [];
  try {
    for (let i = 0; i < count; i++) {
      listeners.push(
        await listenOn(transport, {
          host,
          port: reserved.port,
          reusePort: true,
          fdShare: 1 / count,
        }),
      );
    }
  } catch (error) {
    listeners.forEach((listener) => listener.close());
    throw error;
  } finally {
    reserved.release();
  }
  return listeners;
}
