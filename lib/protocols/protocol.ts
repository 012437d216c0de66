/**
 * What a server protocol is to the connection session that runs it: an optional greeting, a
 * handler from one framed message to at most one reply, and the lines `--verbose` prints.
 * Protocols are created from a serialisable {@link ProtocolConfig}, so Web Workers and
 * subprocesses rebuild the same protocol the parent was asked for.
 *
 * @module
 */

/** The protocols socklab's servers speak. */
export type ProtocolName = "timestamp" | "task";

/** Everything needed to build a protocol, in a form that crosses worker and process borders. */
export interface ProtocolConfig {
  name: ProtocolName;
  /** How long every reply is held back, in milliseconds. */
  delayMs: number;
}

/** The answer to one message. */
export interface Reply {
  /** The reply line, without its newline; none for protocols that do not answer. */
  text?: string;
  /** Close the connection once the reply is written. */
  close?: boolean;
}

/** A server protocol, as the connection session drives it. */
export interface Protocol {
  /** Sent once, as soon as a connection is accepted. */
  readonly greeting?: string;
  /** Whether the time between a connection's messages is recorded (the timestamp lab's metric). */
  readonly recordGaps: boolean;
  /** How long every reply is held back, in milliseconds. */
  readonly delayMs: number;
  /** Answers one framed message. Never throws: bad input gets an error reply. */
  handle(message: string): Reply;
  /** The reply sent, if any, before a connection is closed for an over-long message. */
  overflowReply(maxLine: number): string | undefined;
  /** The `--verbose` lines for one message and its reply. */
  verboseLines(peer: string, message: string, reply: Reply): string[];
}
