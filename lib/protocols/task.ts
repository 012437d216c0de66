/**
 * The task protocol of the task-server lab: `<op>|<payload>` where op is `1`/`case` (swap
 * case), `2`/`eval` (arithmetic, by socklab's own parser: network input is never executed),
 * `3`/`reverse` (by code point) or `4`/`exit` (`Goodbye!`, then close). A request without `|`
 * is reversed, as the reference benchmark client expects.
 *
 * @module
 */

import { formatEvalReply } from "./expr.ts";
import type { Protocol, ProtocolConfig, Reply } from "./protocol.ts";

/** The reply to `exit`. */
export const GOODBYE = "Goodbye!";

const OPERATIONS: Record<string, (payload: string) => Reply> = {
  case: (payload) => ({ text: swapCase(payload) }),
  eval: (payload) => ({ text: formatEvalReply(payload) }),
  reverse: (payload) => ({ text: reverseCodePoints(payload) }),
  exit: () => ({ text: GOODBYE, close: true }),
};
OPERATIONS["1"] = OPERATIONS.case;
OPERATIONS["2"] = OPERATIONS.eval;
OPERATIONS["3"] = OPERATIONS.reverse;
OPERATIONS["4"] = OPERATIONS.exit;

/** The operation names a request may use, in menu order. */
export const TASK_OPERATIONS = ["case", "eval", "reverse", "exit"] as const;

/** Answers one request line. */
export function handleTask(message: string): Reply {
  const bar = message.indexOf("|");
  if (bar < 0) return { text: reverseCodePoints(message) };
  const op = message.slice(0, bar).trim();
  const operation = OPERATIONS[op];
  if (!operation) {
    return {
      text: `Error: unknown operation "${
        op.slice(0, 40)
      }": expected 1, 2, 3, 4 or case, eval, reverse, exit`,
    };
  }
  return operation(message.slice(bar + 1));
}

/** Swaps upper and lower case of every letter, as Python's `str.swapcase` does. */
export function swapCase(text: string): string {
  return text.replace(
    /[\p{Lowercase}\p{Uppercase}]/gu,
    (c) => /\p{Uppercase}/u.test(c) ? c.toLowerCase() : c.toUpperCase(),
  );
}

/** Reverses a string by Unicode code point, so surrogate pairs stay intact. */
export function reverseCodePoints(text: string): string {
  let out = "";
  for (let i = text.length - 1; i >= 0; i--) {
    const code = text.charCodeAt(i);
    if (code >= 0xdc00 && code <= 0xdfff && i > 0) {
      const high = text.charCodeAt(i - 1);
      if (high >= 0xd800 && high <= 0xdbff) {
        out += text[i - 1] + text[i];
        i--;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

/** Builds the task protocol. */
export function taskProtocol(config: ProtocolConfig): Protocol {
  return {
    recordGaps: false,
    delayMs: config.delayMs,
    handle: handleTask,
    overflowReply: (maxLine) => `Error: request longer than ${maxLine} bytes`,
    verboseLines: (peer, message, reply) => [
      `Received request from ${peer}: ${message}`,
      `Sending response to ${peer}: ${reply.text ?? ""}`,
    ],
  };
}
