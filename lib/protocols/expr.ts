/**
 * Safe, Python-exact evaluation of arithmetic expressions received from the network.
 *
 * The task server's `eval` operation answers untrusted text, so instead of handing it to a code
 * evaluator (as the reference server's Python `eval()` does) this module has its own tokenizer
 * and parser for the arithmetic subset of Python's expression grammar: integer (decimal, `0x`,
 * `0o`, `0b`, with `_` separators), decimal and scientific literals, `True` and `False`, the
 * binary operators `+ - * / // % ** << >> & ^ |`, comparisons `< > <= >= == !=` (chained, as
 * `1 < 2 < 3`), unary `+ - ~` and parentheses. Values follow CPython 3.11 semantics: integers
 * are exact, `/` is correctly rounded true division, `//` and `%` round towards negative infinity,
 * mixed arithmetic converts to float, ints and floats compare exactly, bools are ints, and the
 * result reads as `str()` would print it. Errors read as `str(exception)` does, syntax errors
 * included (`'(' was never closed (<string>, line 1)`), chosen in CPython's order.
 *
 * Every input yields a value or an error reason, quickly and within bounded memory; the bounds
 * are in {@linkcode ExprLimits}. Nothing is ever executed: names, calls, attributes, tuples and
 * strings are refused (names, calls and tuples once the whole input has parsed, so that Python's
 * syntax errors still come first; strings and keywords while tokenizing).
 *
 * This file holds the public API and the formatting of results; the stages it runs are files of
 * their own: the tokenizer (expr_tokenize.ts), the parser to postfix code (expr_parser.ts) and
 * the interpreter (expr_run.ts), with the types they share in expr_types.ts.
 *
 * @example Evaluate a request payload
 * ```ts
 * import { evaluate, formatEvalReply } from "./expr.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(evaluate("2**100 // 3"), { ok: true, value: "422550200076076467165567735125" });
 * assert.equal(formatEvalReply("-7 // 2"), "-4");
 * assert.equal(formatEvalReply("1/0"), "Error: division by zero");
 * assert.equal(formatEvalReply("2**10 > 1000"), "True");
 * assert.equal(formatEvalReply("os.system(1)"), "Error: names are not allowed");
 * ```
 *
 * @module
 */

import { Parser } from "./expr_parser.ts";
import { run } from "./expr_run.ts";
import { ZERO } from "./expr_tokenize.ts";
import { type Context, ExprError, type ExprLimits, type Num } from "./expr_types.ts";

export type { ExprLimits };

/** The bounds {@linkcode evaluate} applies unless told otherwise. */
export const DEFAULT_EXPR_LIMITS: Readonly<ExprLimits> = Object.freeze({
  maxLength: 10_000,
  maxDepth: 200,
  maxIntDigits: 4300,
  maxIntBits: 32_768,
  maxIntWork: 1 << 20,
});

/** The value of an expression as Python's `repr()` prints it, or why there is none. */
export type ExprResult = { ok: true; value: string } | { ok: false; error: string };

/**
 * Evaluates an arithmetic expression with Python's semantics. Never throws.
 *
 * @param input The expression text.
 * @param limits Overrides for some of {@linkcode DEFAULT_EXPR_LIMITS}.
 * @returns The result's `repr()`, or the error reason (without an `Error: ` prefix).
 */
export function evaluate(input: string, limits?: Partial<ExprLimits>): ExprResult {
  try {
    const ctx = contextFor(limits);
    // CPython checks this before it tokenizes anything.
    if (input.includes("\0")) throw new ExprError("source code string cannot contain null bytes");
    if (input.length > ctx.maxLength) {
      throw new ExprError(`expression is longer than ${ctx.maxLength} characters`);
    }
    const { code, unsupported } = Parser.parse(input, ctx);
    if (unsupported) throw new ExprError(unsupported);
    const value = run(code, ctx);
    return { ok: true, value: formatValue(value, ctx) };
  } catch (e) {
    if (e instanceof ExprError) return { ok: false, error: e.message };
    // Both the parser and the evaluator are bounded, so this is a last line of defence against a
    // stack or BigInt size overflow in an embedding we did not foresee.
    if (e instanceof RangeError) return { ok: false, error: "expression is too complex" };
    return { ok: false, error: "expression could not be evaluated" };
  }
}

/** Python's `str()` of a result. */
function formatValue(value: Num, ctx: Context): string {
  if (typeof value === "boolean") return value ? "True" : "False";
  return typeof value === "number" ? formatFloat(value) : formatInt(value, ctx);
}

/**
 * The task server's one-line reply to an `eval` request.
 *
 * @param input The expression text.
 * @param limits Overrides for some of {@linkcode DEFAULT_EXPR_LIMITS}.
 * @returns The value, or `Error: <reason>`.
 */
export function formatEvalReply(input: string, limits?: Partial<ExprLimits>): string {
  const result = evaluate(input, limits);
  return result.ok ? result.value : `Error: ${result.error}`;
}

/**
 * Formats a number exactly as Python's `repr(float)`: the shortest digits that round-trip,
 * positional notation for decimal exponents from -4 to 15, scientific otherwise.
 *
 * @param x The number.
 * @returns For example `2.0`, `0.1`, `1e+16`, `1.5e-05`, `-0.0`, `inf`, `nan`.
 */
export function formatFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  // Number#toString also picks the shortest round-tripping digits (closest to x on ties, like
  // Python's dtoa), only its notation differs; toExponential() breaks ties differently.
  const s = Math.abs(x).toString();
  let digits: string;
  let point: number; // x = 0.<digits> * 10**point
  const e = s.indexOf("e");
  if (e >= 0) {
    digits = s.slice(0, e).replace(".", "");
    point = Number(s.slice(e + 1)) + 1;
  } else {
    const dot = s.indexOf(".");
    const whole = dot < 0 ? s : s.slice(0, dot);
    const fraction = dot < 0 ? "" : s.slice(dot + 1);
    if (whole === "0") {
      let zeros = 0;
      while (fraction.charCodeAt(zeros) === ZERO) zeros++;
      digits = fraction.slice(zeros);
      point = -zeros;
    } else {
      digits = (whole + fraction).replace(/0+$/, "");
      point = whole.length;
    }
  }
  if (point > -4 && point <= 16) {
    if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
    if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}.0`;
    return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const exponent = point - 1;
  const magnitude = Math.abs(exponent);
  return `${sign}${mantissa}e${exponent < 0 ? "-" : "+"}${magnitude < 10 ? "0" : ""}${magnitude}`;
}

function makeContext(limits: ExprLimits): Context {
  const intBound = 1n << BigInt(limits.maxIntBits);
  const digitBound = 10n ** BigInt(limits.maxIntDigits);
  return { ...limits, intBound, negIntBound: -intBound, digitBound, negDigitBound: -digitBound };
}

const DEFAULT_CONTEXT = makeContext(DEFAULT_EXPR_LIMITS);

function contextFor(limits: Partial<ExprLimits> | undefined): Context {
  if (limits === undefined) return DEFAULT_CONTEXT;
  return makeContext({
    maxLength: limits.maxLength ?? DEFAULT_EXPR_LIMITS.maxLength,
    maxDepth: limits.maxDepth ?? DEFAULT_EXPR_LIMITS.maxDepth,
    maxIntDigits: limits.maxIntDigits ?? DEFAULT_EXPR_LIMITS.maxIntDigits,
    maxIntBits: limits.maxIntBits ?? DEFAULT_EXPR_LIMITS.maxIntBits,
    maxIntWork: limits.maxIntWork ?? DEFAULT_EXPR_LIMITS.maxIntWork,
  });
}

function formatInt(x: bigint, ctx: Context): string {
  if (x >= ctx.digitBound || x <= ctx.negDigitBound) {
    throw new ExprError(
      `Exceeds the limit (${ctx.maxIntDigits} digits) for integer string conversion; ` +
        "use sys.set_int_max_str_digits() to increase the limit",
    );
  }
  return x.toString();
}
