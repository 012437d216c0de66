/**
 * Opening TCP listeners, with the errors a user can act on: port in use, permission denied,
 * an address that is not this machine's.
 *
 * @module
 */

import { ServerStartError } from "../server/server_spec.ts";

/** Listens on `host:port`; `reusePort` lets pool members share one port. */
export function listenTcp(host: string, port: number, reusePort = false): Deno.TcpListener {
  const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  try {
    return Deno.listen({ hostname: host, port, reusePort, transport: "tcp" });
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new ServerStartError(
        `Cannot listen on ${where}: the port is already in use; choose another --port or stop the program using it`,
      );
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new ServerStartError(
        `Cannot listen on ${where}: permission denied; ports below 1024 need privileges, choose --port 1024 or above`,
      );
    }
    if (error instanceof Deno.errors.AddrNotAvailable) {
      throw new ServerStartError(
        `Cannot listen on ${where}: the address is not available on this machine; check --host`,
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new ServerStartError(`Cannot listen on ${where}: ${reason}; check --host and --port`);
  }
}

/**
 * Checks that `port` is free with a plain listen, which fails even when other processes share
 * the port with `reusePort`, and returns it (the chosen one when 0 was asked for), ready for
 * `reusePort` listeners. Clients learn the port only once those listen, so closing the probe
 * loses nobody.
 */
export function probePort(host: string, port: number): number {
  const probe = listenTcp(host, port);
  const chosen = probe.addr.port;
  probe.close();
  return chosen;
}

/** Opens `count` listeners sharing one free port with `reusePort`. */
export function listenShared(host: string, port: number, count: number): Deno.TcpListener[] {
  const chosen = probePort(host, port);
  const listeners: Deno.TcpListener[] = [];
  try {
    for (let i = 0; i < count; i++) listeners.push(listenTcp(host, chosen, true));
  } catch (error) {
    listeners.forEach((listener) => listener.close());
    throw error;
  }
  return listeners;
}

/** `ip:port`, with IPv6 addresses in brackets. */
export function formatPeer(addr: Deno.Addr): string {
  if (addr.transport !== "tcp" && addr.transport !== "udp") return addr.transport;
  return addr.hostname.includes(":")
    ? `[${addr.hostname}]:${addr.port}`
    : `${addr.hostname}:${addr.port}`;
}
