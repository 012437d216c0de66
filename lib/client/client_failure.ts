/**
 * What went wrong on a client connection, in one sentence that names the server and what the
 * client was waiting for: the connection, the greeting, or the reply to a request.
 *
 * @module
 */

import { describeConnectError } from "../net/connect.ts";
import { formatHostPort } from "../net/transport.ts";
import { formatDuration } from "../cli/units.ts";

/** A failure whose message is ready for the user (printed after `Error: `). */
export class ClientFailure extends Error {
  override name = "ClientFailure";
}

/** Where a client connects and how long it waits for each thing. */
export interface Peer {
  host: string;
  port: number;
  timeoutMs: number;
  connectTimeoutMs: number;
}

/** What a client waits for: `greeting`, or `reply` with ` to "<request>"` as the detail. */
export interface Awaited {
  what: string;
  detail?: string;
  /** What it may mean when it never comes. */
  ifSilent?: string;
}

/** The server closed cleanly before `awaited` came. */
export function closedBefore(peer: Peer, { what, detail = "" }: Awaited): ClientFailure {
  const where = formatHostPort(peer.host, peer.port);
  return new ClientFailure(`connection closed by the server ${where} before the ${what}${detail}`);
}

/** The sentence for a failed connect to `peer`. */
export function describeConnectFailure(error: unknown, peer: Peer): string {
  if (error instanceof Deno.errors.TimedOut) {
    const where = formatHostPort(peer.host, peer.port);
    return `connection to ${where} timed out after ${formatDuration(peer.connectTimeoutMs)}`;
  }
  return describeConnectError(error, peer.host, peer.port);
}

/**
 * The sentence for a server that ended the connection (`error`, or null for a clean close)
 * after `sent` of `events` events.
 */
export function describeEndedEarly(
  error: unknown,
  peer: Peer,
  sent: number,
  events: number,
): string {
  const where = formatHostPort(peer.host, peer.port);
  const how = error === null || error instanceof Deno.errors.BrokenPipe
    ? "closed by the server"
    : error instanceof Deno.errors.ConnectionReset
    ? "reset by"
    : undefined;
  if (how === undefined) return describeConnectError(error, peer.host, peer.port);
  return `connection ${how} ${where} after ${sent} of ${events} events`;
}

/** The sentence for `error`, raised on a connection to `peer` while waiting for `awaited`. */
export function describeFailure(error: unknown, peer: Peer, awaited: Awaited): string {
  if (error instanceof ClientFailure) return error.message;
  const where = formatHostPort(peer.host, peer.port);
  const { what, detail = "", ifSilent = "" } = awaited;
  if (error instanceof Deno.errors.TimedOut) {
    return `no ${what} from ${where} within ${formatDuration(peer.timeoutMs)}${detail}${ifSilent}`;
  }
  if (error instanceof Deno.errors.ConnectionReset) {
    return `connection reset by ${where} while waiting for the ${what}${detail}`;
  }
  if (error instanceof Deno.errors.BrokenPipe) return closedBefore(peer, awaited).message;
  return describeConnectError(error, peer.host, peer.port);
}
