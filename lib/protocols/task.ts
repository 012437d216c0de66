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

/**
 * Swaps upper and lower case of every letter as Python's `str.swapcase` does: full case mappings
 * (`ß` → `SS`), and a capital sigma becomes final `ς` where CPython's `handle_capital_sigma` says
 * so (after a cased letter, not before one, case-ignorable characters skipped), `σ` elsewhere.
 */
export function swapCase(text: string): string {
  return text.replace(CASED_LETTER, (c: string, at: number) => {
    if (!UPPERCASE.test(c)) return c.toUpperCase();
    if (c === CAPITAL_SIGMA) return isFinalSigma(text, at) ? "\u03c2" : "\u03c3";
    return c.toLowerCase();
  });
}

const CASED_LETTER = /[\p{Lowercase}\p{Uppercase}]/gu;
const UPPERCASE = /\p{Uppercase}/u;
const CASED = /\p{Cased}/u;
const CASE_IGNORABLE = /\p{Case_Ignorable}/u;
const CAPITAL_SIGMA = "\u03a3";

/**
 * Unicode's Final_Sigma context, as CPython tests it: `\p{Cased} \p{Case_Ignorable}* Σ` not
 * followed by `\p{Case_Ignorable}* \p{Cased}`. Each scan stops at the first character that is not
 * case-ignorable, so a string costs at most two passes over each run between sigmas.
 */
function isFinalSigma(text: string, at: number): boolean {
  let before = "";
  for (let i = at; i > 0;) {
    const unit = text.charCodeAt(i - 1);
    const width = unit >= 0xdc00 && unit <= 0xdfff && i > 1 &&
        (text.charCodeAt(i - 2) & 0xfc00) === 0xd800
      ? 2
      : 1;
    const c = text.slice(i - width, i);
    if (!CASE_IGNORABLE.test(c)) {
      before = c;
      break;
    }
    i -= width;
  }
  if (!CASED.test(before)) return false;
  for (let i = at + 1; i < text.length;) {
    const c = String.fromCodePoint(text.codePointAt(i)!);
    if (!CASE_IGNORABLE.test(c)) return !CASED.test(c);
    i += c.length;
  }
  return true;
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
