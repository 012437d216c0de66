/**
 * The timestamp protocol of the first lab: the server greets, the client sends lines
 * `Worker <w>, Event <e>, Timestamp <unix-ms>`, the server answers nothing and records when
 * each line arrived.
 *
 * @module
 */

import type { Protocol, ProtocolConfig, Reply } from "./protocol.ts";

/** The greeting every timestamp connection receives on accept. */
export const TIMESTAMP_GREETING = "Hello! You are connected to the server.";

const NO_REPLY: Reply = {};

/** Builds the timestamp protocol. */
export function timestampProtocol(_config: ProtocolConfig): Protocol {
  return {
    greeting: TIMESTAMP_GREETING,
    recordGaps: true,
    delayMs: 0,
    handle: () => NO_REPLY,
    overflowReply: () => undefined,
    verboseLines: (peer, message) => [`Sentence "${message}" received from ${peer}`],
  };
}

/** Formats one client line; the client and tests share it so the format has one definition. */
export function timestampLine(worker: number, event: number, unixMs: number): string {
  return `Worker ${worker}, Event ${event}, Timestamp ${unixMs}`;
}
