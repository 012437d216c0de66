/**
 * How a pool shares its port where `reusePort` does not spread connections over the members
 * (macOS, Windows; see lib/net/shared_port.ts): each member listens on a loopback port of its
 * own, and the parent listens on the server's port and relays every connection it accepts to
 * the member with the fewest relayed connections open (in turn among equals). Members serve
 * and record as they do behind `reusePort`, so the counts are the same; what differs is that
 * they see the relay's loopback address as the peer, and every byte takes one more hop.
 *
 * @module
 */

import { listenOn } from "../lib/net/listen.ts";
import { splice } from "../lib/net/splice.ts";
import type { Conn } from "../lib/net/transport.ts";
import { transportFor } from "../lib/net/transports.ts";
import type { ModeOptions, ServerEvent } from "../lib/server/server_spec.ts";
import { acceptLoop } from "../lib/server/accept_loop.ts";

/** Where members listen behind the relay. */
export const MEMBER_HOST = "127.0.0.1";

/** How long reaching a member may take before the client's connection is given up. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * The relay's own events the server hears: its failures (resets before accept and over its
 * descriptor budget, connections closed unserved at a stop) and the warnings and status lines
 * about them. Opens and closes are the members' to report.
 */
const RELAY_OWN = new Set<ServerEvent["type"]>([
  "warning",
  "status",
  "aborted",
  "shed",
  "unserved",
]);

/** A member the relay can reach. */
interface Route {
  key: object;
  name: string;
  port: number;
  /** Connections relayed to it and still open. */
  open: number;
}

/** The parent's relay in front of a pool. */
export interface ProxyPool {
  readonly port: number;
  /** The share of this process's descriptors a member in this process may use for its own. */
  readonly memberFdShare: number;
  /** A member now listening on `port` of {@link MEMBER_HOST}; `key` identifies it. */
  add(key: object, name: string, port: number): void;
  /** The member ended: no more connections go to it. */
  remove(key: object): void;
  /**
   * Accepts and relays until `signal` (then drains for `--drain`) or `--max-connections`;
   * resolves once every relayed connection has closed.
   */
  serve(signal: AbortSignal): Promise<void>;
  /** Stops listening, for a pool that failed to start. */
  close(): void;
}

/**
 * Listens on the server's port for a pool. A relayed connection holds two descriptors here,
 * the client's and the member's; members that share this process hold a third.
 */
export async function listenProxy(
  options: ModeOptions,
  membersShareProcess: boolean,
): Promise<ProxyPool> {
  const fdsPerConnection = membersShareProcess ? 3 : 2;
  const listener = await listenOn(transportFor(options.io), {
    host: options.host,
    port: options.port,
    fdShare: 1 / fdsPerConnection,
  });
  const routes: Route[] = [];
  let next = 0;
  /** The route with the fewest open connections, looking from the one after the last pick. */
  const pick = (): Route | undefined => {
    let best: Route | undefined;
    for (let i = 0; i < routes.length; i++) {
      const route = routes[(next + i) % routes.length];
      if (!best || route.open < best.open) best = route;
    }
    if (best) next = (routes.indexOf(best) + 1) % routes.length;
    return best;
  };
  // The members report what they serve; the relay reports only its own failures and state.
  const relayOptions: ModeOptions = {
    ...options,
    maxConns: 0,
    onEvent(event) {
      if (RELAY_OWN.has(event.type)) options.onEvent(event);
    },
  };
  const relay = async (conn: Conn) => {
    const route = pick();
    if (!route) {
      conn.close();
      options.onEvent({
        type: "warning",
        message: `No pool member is listening: closed the connection from ${conn.peer}`,
      });
      return;
    }
    route.open++;
    try {
      // Deno.connect whatever --io says: a write to a member that has closed then leaves its
      // last reply readable, where node:net destroys the socket and loses it.
      const upstream = await transportFor("deno").connect(
        MEMBER_HOST,
        route.port,
        CONNECT_TIMEOUT_MS,
      );
      await splice(conn, upstream, options.idleTimeoutMs);
    } catch (error) {
      conn.close();
      options.onEvent({
        type: "warning",
        message: `Could not relay the connection from ${conn.peer} to ${route.name}: ${
          error instanceof Error ? error.message : error
        }`,
      });
    } finally {
      route.open--;
    }
  };
  return {
    port: listener.port,
    memberFdShare: membersShareProcess ? 1 / fdsPerConnection : 1,
    add(key, name, port) {
      routes.push({ key, name, port, open: 0 });
    },
    remove(key) {
      const at = routes.findIndex((route) => route.key === key);
      if (at >= 0) routes.splice(at, 1);
    },
    serve: (signal) =>
      acceptLoop([listener], relayOptions, signal, relay, {
        sequential: false,
        worker: "relay",
        abandon: options.hurry,
      }),
    close: () => listener.close(),
  };
}
