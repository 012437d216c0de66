/**
 * Safe, Python-exact evaluation of arithmetic expressions received from the network.
 *
 * The task server's `eval` operation answers untrusted text, so instead of handing it to a code
 * evaluator (as the reference server's Python `eval()` does) this module has its own tokenizer
 * and parser for the arithmetic subset of Python's expression grammar: integer (decimal, `0x`,
 * `0o`, `0b`, with `_` separators), decimal and scientific literals, the binary operators
 * `+ - * / // % **`, unary `+ - ~` and parentheses. Values follow CPython 3 semantics: integers
 * are exact, `/` is correctly rounded true division, `//` and `%` round towards negative infinity,
 * mixed arithmetic converts to float, and the result reads as `repr()` would print it.
 *
 * Every input yields a value or an error reason, quickly and within bounded memory; the bounds
 * are in {@linkcode ExprLimits}. Nothing is ever executed: names, calls, attributes, strings and
 * other Python syntax are refused while tokenizing.
 *
 * @example Evaluate a request payload
 * ```ts
 * import { evaluate, formatEvalReply } from "./expr.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(evaluate("2**100 // 3"), { ok: true, value: "422550200076076467165567735125" });
 * assert.equal(formatEvalReply("-7 // 2"), "-4");
 * assert.equal(formatEvalReply("1/0"), "Error: division by zero");
 * assert.equal(formatEvalReply("__import__('os')"), "Error: names are not allowed");
 * ```
 *
 * @module
 */

/** Bounds that keep evaluation cheap; exceeding any of them gives an error result. */
export interface ExprLimits {
  /** Longest accepted input, in UTF-16 code units. */
  maxLength: number;
  /** Deepest parenthesis nesting; CPython's tokenizer stops at 200. */
  maxDepth: number;
  /**
   * Most decimal digits in an integer literal or an integer result; CPython's default limit on
   * int/str conversion is 4300.
   */
  maxIntDigits: number;
  /**
   * Largest intermediate integer, in bits. CPython has no such bound, but without one a short
   * input like `9**9**9` would take unbounded time and memory.
   */
  maxIntBits: number;
  /**
   * Most large-integer work per expression: the bit lengths of the operands of every
   * multiplication, division and modulo on integers beyond 64 bits, plus the estimated bit length
   * of every integer power, summed. A 10,000-character input could otherwise chain hundreds of
   * operations on numbers near `maxIntBits` and hold the event loop for a noticeable time.
   */
  maxIntWork: number;
}

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
    if (input.length > ctx.maxLength) {
      throw new ExprError(`expression is longer than ${ctx.maxLength} characters`);
    }
    const value = run(new Parser(input, ctx).parse(), ctx);
    return {
      ok: true,
      value: typeof value === "number" ? formatFloat(value) : formatInt(value, ctx),
    };
  } catch (e) {
    if (e instanceof ExprError) return { ok: false, error: e.message };
    // Both the parser and the evaluator are bounded, so this is a last line of defence against a
    // stack or BigInt size overflow in an embedding we did not foresee.
    if (e instanceof RangeError) return { ok: false, error: "expression is too complex" };
    return { ok: false, error: "expression could not be evaluated" };
  }
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

/** Thrown inside this module only; {@linkcode evaluate} turns it into an error result. */
class ExprError extends Error {}

/** A Python value: `bigint` for int, `number` for float. */
type Num = bigint | number;

type UnaryOp = "neg" | "pos" | "inv";
type BinaryOp = "+" | "-" | "*" | "/" | "//" | "%" | "**";

/** Postfix code: operands are pushed, operators pop theirs and push the result. */
type Program = (Num | UnaryOp | BinaryOp)[];

/** Limits plus the bigint thresholds derived from them, built once per set of limits. */
interface Context extends ExprLimits {
  /** `2n ** maxIntBits`: integers must stay strictly below it in magnitude. */
  intBound: bigint;
  /** `-intBound`, kept because negating a bigint this size on every check is not free. */
  negIntBound: bigint;
  /** `10n ** maxIntDigits`: the smallest integer magnitude with too many digits to print. */
  digitBound: bigint;
  /** `-digitBound`. */
  negDigitBound: bigint;
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

// Character codes the tokenizer dispatches on.
const TAB = 9;
const LF = 10;
const FF = 12;
const CR = 13;
const SPACE = 32;
const DQUOTE = 34;
const HASH = 35;
const PERCENT = 37;
const SQUOTE = 39;
const LPAREN = 40;
const RPAREN = 41;
const STAR = 42;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const SLASH = 47;
const ZERO = 48;
const BACKSLASH = 92;
const UNDERSCORE = 95;
const TILDE = 126;

// Token kinds.
const T_END = 0;
const T_NUMBER = 1;
const T_OPERATOR = 2;
const T_OPEN = 3;
const T_CLOSE = 4;

type Operator = "+" | "-" | "~" | "*" | "/" | "//" | "%" | "**";

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Lowercases an ASCII letter's code; other codes stay distinct from all letters. */
const lower = (c: number): number => c | 0x20;

/** Characters CPython would read as the start or continuation of a name. */
const isNameChar = (c: number): boolean =>
  (lower(c) >= 97 && lower(c) <= 122) || c === UNDERSCORE || isDigit(c) || c >= 0x80;

/** Whether `c` is a digit of the given radix (2, 8 or 16). */
function isRadixDigit(c: number, radix: number): boolean {
  if (radix === 16) return isDigit(c) || (lower(c) >= 97 && lower(c) <= 102);
  return c >= 48 && c < 48 + radix;
}

/**
 * Tokenizer and recursive-descent parser in one, producing postfix code. Parsing the whole input
 * before evaluating any of it means syntax errors win over evaluation errors, as in Python.
 * Recursion happens only for parentheses, whose depth is bounded; unary and `**` chains are
 * collected iteratively, so no input can exhaust the stack.
 */
class Parser {
  #src: string;
  #pos = 0;
  #ctx: Context;
  #code: Program = [];
  /** Open parentheses; inside them line breaks are plain whitespace, as in Python. */
  #depth = 0;
  /** At the start of a physical line, where Python checks the indentation. */
  #lineStart = true;
  /** A token was read, so a line break outside parentheses ends the expression. */
  #started = false;
  /** The logical line ended: only blank lines and comments may follow. */
  #ended = false;
  #kind = T_END;
  #op: Operator = "+";
  #num: Num = 0;

  constructor(src: string, ctx: Context) {
    this.#src = src;
    this.#ctx = ctx;
    // Python's eval() drops leading spaces and tabs before tokenizing, so they are no indent.
    let pos = 0;
    while (src.charCodeAt(pos) === SPACE || src.charCodeAt(pos) === TAB) pos++;
    this.#pos = pos;
  }

  parse(): Program {
    this.#next();
    this.#sum();
    if (this.#kind !== T_END) throw this.#syntaxError();
    return this.#code;
  }

  // sum: term (('+' | '-') term)*
  #sum(): void {
    this.#term();
    while (this.#kind === T_OPERATOR && (this.#op === "+" || this.#op === "-")) {
      const op = this.#op;
      this.#next();
      this.#term();
      this.#code.push(op);
    }
  }

  // term: factor (('*' | '/' | '//' | '%') factor)*
  #term(): void {
    this.#factor();
    while (
      this.#kind === T_OPERATOR &&
      (this.#op === "*" || this.#op === "/" || this.#op === "//" || this.#op === "%")
    ) {
      const op = this.#op;
      this.#next();
      this.#factor();
      this.#code.push(op);
    }
  }

  // factor: ('+' | '-' | '~') factor | primary ['**' factor]
  // `**` takes a factor on its right, so `-2**-1` is `-(2**(-1))`: every prefix operator and
  // `**` is stacked as met and emitted in reverse once the chain's last primary is parsed.
  #factor(): void {
    const pending: (UnaryOp | "**")[] = [];
    for (;;) {
      while (
        this.#kind === T_OPERATOR && (this.#op === "-" || this.#op === "+" || this.#op === "~")
      ) {
        pending.push(this.#op === "-" ? "neg" : this.#op === "+" ? "pos" : "inv");
        this.#next();
      }
      this.#primary();
      if (this.#kind !== T_OPERATOR || this.#op !== "**") break;
      pending.push("**");
      this.#next();
    }
    for (let i = pending.length - 1; i >= 0; i--) this.#code.push(pending[i]);
  }

  // primary: NUMBER | '(' sum ')'
  #primary(): void {
    if (this.#kind === T_NUMBER) {
      this.#code.push(this.#num);
      this.#next();
    } else if (this.#kind === T_OPEN) {
      this.#next();
      this.#sum();
      // Read through a method: TypeScript would keep #kind narrowed to T_OPEN across #sum().
      if (this.#kindNow() !== T_CLOSE) throw this.#syntaxError();
      this.#next();
    } else {
      throw this.#syntaxError();
    }
  }

  #kindNow(): number {
    return this.#kind;
  }

  #syntaxError(): ExprError {
    return new ExprError(
      this.#kind === T_END && this.#depth > 0 ? "'(' was never closed" : "invalid syntax",
    );
  }

  /** Reads the next token into `#kind` (and `#op` or `#num`). */
  #next(): void {
    this.#skipTrivia();
    const src = this.#src;
    const pos = this.#pos;
    if (pos >= src.length) {
      this.#kind = T_END;
      return;
    }
    this.#started = true;
    const c = src.charCodeAt(pos);
    if (isDigit(c) || (c === DOT && isDigit(src.charCodeAt(pos + 1)))) {
      this.#kind = T_NUMBER;
      this.#num = this.#number();
      return;
    }
    this.#pos = pos + 1;
    this.#kind = T_OPERATOR;
    switch (c) {
      case PLUS:
      case MINUS:
      case TILDE:
      case PERCENT:
        // A one-character operator is spelled as it is written.
        this.#op = String.fromCharCode(c) as Operator;
        return;
      case STAR:
      case SLASH: {
        const doubled = src.charCodeAt(pos + 1) === c;
        if (doubled) this.#pos++;
        this.#op = c === STAR ? (doubled ? "**" : "*") : (doubled ? "//" : "/");
        return;
      }
      case LPAREN:
        if (this.#depth >= this.#ctx.maxDepth) throw new ExprError("too many nested parentheses");
        this.#depth++;
        this.#kind = T_OPEN;
        return;
      case RPAREN:
        if (this.#depth === 0) throw new ExprError("unmatched ')'");
        this.#depth--;
        this.#kind = T_CLOSE;
        return;
    }
    if (c === SQUOTE || c === DQUOTE) throw new ExprError("strings are not allowed");
    if (c < 0x80 && isNameChar(c)) throw new ExprError("names are not allowed");
    if (c < SPACE || c === 0x7f) throw new ExprError(`invalid non-printable character ${uPlus(c)}`);
    // The reason quotes the code point rather than the character so that the reply stays one
    // printable line whatever was sent.
    if (c >= 0x80) throw new ExprError(`invalid character ${uPlus(src.codePointAt(pos) ?? c)}`);
    throw new ExprError("invalid syntax");
  }

  /**
   * Skips whitespace, comments, line continuations and line breaks the way Python's tokenizer
   * does for a single expression: blank lines are ignored, a non-blank line must not be indented,
   * and outside parentheses a line break ends the expression.
   */
  #skipTrivia(): void {
    const src = this.#src;
    const length = src.length;
    let column = 0;
    for (;;) {
      const c = src.charCodeAt(this.#pos);
      if (c === SPACE || c === TAB) {
        column++;
        this.#pos++;
      } else if (c === FF) {
        // Python resets the indentation count at a form feed.
        column = 0;
        this.#pos++;
      } else if (c === HASH) {
        while (
          this.#pos < length && src.charCodeAt(this.#pos) !== LF && src.charCodeAt(this.#pos) !== CR
        ) {
          this.#pos++;
        }
      } else if (c === BACKSLASH) {
        const after = src.charCodeAt(this.#pos + 1);
        if (after !== LF && after !== CR) {
          throw new ExprError("unexpected character after line continuation character");
        }
        this.#pos += after === CR && src.charCodeAt(this.#pos + 2) === LF ? 3 : 2;
        if (this.#pos >= length) throw new ExprError("unexpected EOF while parsing");
      } else if (c === LF || c === CR) {
        this.#pos += c === CR && src.charCodeAt(this.#pos + 1) === LF ? 2 : 1;
        if (this.#depth === 0) {
          if (this.#started) this.#ended = true;
          this.#lineStart = true;
          column = 0;
        }
      } else {
        break;
      }
    }
    if (this.#lineStart && this.#pos < length) {
      if (column > 0) throw new ExprError("unexpected indent");
      if (this.#ended) throw new ExprError("invalid syntax");
      this.#lineStart = false;
    }
  }

  /** Scans a numeric literal with the rules of CPython's tokenizer and returns its value. */
  #number(): Num {
    const src = this.#src;
    const start = this.#pos;
    let c = src.charCodeAt(start);
    if (c === ZERO) {
      const prefix = lower(src.charCodeAt(start + 1));
      if (prefix === 120) return this.#radixNumber(16, "hexadecimal");
      if (prefix === 111) return this.#radixNumber(8, "octal");
      if (prefix === 98) return this.#radixNumber(2, "binary");
    }
    let isFloat = false;
    if (c !== DOT) {
      this.#digitPart();
      c = src.charCodeAt(this.#pos);
    }
    if (c === DOT) {
      isFloat = true;
      this.#pos++;
      if (isDigit(src.charCodeAt(this.#pos))) this.#digitPart();
      c = src.charCodeAt(this.#pos);
    }
    if (lower(c) === 101) {
      const sign = src.charCodeAt(this.#pos + 1);
      const first = this.#pos + (sign === PLUS || sign === MINUS ? 2 : 1);
      if (!isDigit(src.charCodeAt(first))) throw new ExprError("invalid decimal literal");
      isFloat = true;
      this.#pos = first;
      this.#digitPart();
      c = src.charCodeAt(this.#pos);
    }
    if (lower(c) === 106) throw new ExprError("complex numbers are not supported");
    if (isNameChar(c)) throw new ExprError("invalid decimal literal");
    const text = src.slice(start, this.#pos).replaceAll("_", "");
    // Correctly rounded like CPython's strtod, overflowing to inf and underflowing to 0.0.
    if (isFloat) return Number(text);
    let zeros = 0;
    while (text.charCodeAt(zeros) === ZERO) zeros++;
    if (zeros > 0 && zeros < text.length) {
      throw new ExprError(
        "leading zeros in decimal integer literals are not permitted; " +
          "use an 0o prefix for octal integers",
      );
    }
    const digits = text.length - zeros;
    if (digits > this.#ctx.maxIntDigits) {
      throw new ExprError(
        `Exceeds the limit (${this.#ctx.maxIntDigits} digits) for integer string conversion: ` +
          `value has ${digits} digits`,
      );
    }
    return checkInt(BigInt(text), this.#ctx);
  }

  /** Consumes `digit (['_'] digit)*`; the current character is a digit. */
  #digitPart(): void {
    const src = this.#src;
    for (;;) {
      while (isDigit(src.charCodeAt(this.#pos))) this.#pos++;
      if (src.charCodeAt(this.#pos) !== UNDERSCORE) return;
      if (!isDigit(src.charCodeAt(++this.#pos))) throw new ExprError("invalid decimal literal");
    }
  }

  /** Scans `0x…`, `0o…` or `0b…`; the current character is the leading zero. */
  #radixNumber(radix: number, name: string): bigint {
    const src = this.#src;
    const start = this.#pos;
    this.#pos += 2;
    let c: number;
    do {
      if (src.charCodeAt(this.#pos) === UNDERSCORE) this.#pos++;
      c = src.charCodeAt(this.#pos);
      if (!isRadixDigit(c, radix)) {
        if (isDigit(c)) throw new ExprError(`invalid digit '${src[this.#pos]}' in ${name} literal`);
        throw new ExprError(`invalid ${name} literal`);
      }
      while (isRadixDigit(src.charCodeAt(this.#pos), radix)) this.#pos++;
      c = src.charCodeAt(this.#pos);
    } while (c === UNDERSCORE);
    if (isDigit(c)) throw new ExprError(`invalid digit '${src[this.#pos]}' in ${name} literal`);
    if (isNameChar(c)) throw new ExprError(`invalid ${name} literal`);
    // BigInt() accepts the same prefixes; the digit count is bounded by the input length, and
    // the bit limit catches what is too large.
    return checkInt(BigInt(src.slice(start, this.#pos).replaceAll("_", "")), this.#ctx);
  }
}

function uPlus(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** The state of one evaluation: its limits and the large-integer work spent so far. */
interface Meter {
  ctx: Context;
  work: number;
}

/** Runs postfix code on a value stack. */
function run(code: Program, ctx: Context): Num {
  const meter: Meter = { ctx, work: 0 };
  const stack: Num[] = [];
  for (const item of code) {
    if (typeof item !== "string") {
      stack.push(item);
      continue;
    }
    switch (item) {
      case "neg": {
        const x = stack[stack.length - 1];
        stack[stack.length - 1] = -x;
        break;
      }
      case "pos":
        break;
      case "inv": {
        const x = stack[stack.length - 1];
        if (typeof x === "number") throw new ExprError("bad operand type for unary ~: 'float'");
        stack[stack.length - 1] = ~x;
        break;
      }
      default: {
        const b = stack.pop()!;
        const a = stack.pop()!;
        stack.push(binary(item, a, b, meter));
      }
    }
  }
  return stack[0];
}

function binary(op: BinaryOp, a: Num, b: Num, meter: Meter): Num {
  if (typeof a === "bigint" && typeof b === "bigint") {
    const ctx = meter.ctx;
    // Addition and subtraction are linear and cheap enough to go unmetered.
    if (op !== "+" && op !== "-" && op !== "**" && (isLarge(a) || isLarge(b))) {
      spend(meter, bitLength(a) + bitLength(b));
    }
    switch (op) {
      case "+":
        return checkInt(a + b, ctx);
      case "-":
        return checkInt(a - b, ctx);
      // Operands are below 2**maxIntBits, so even an oversized product costs one bounded step.
      case "*":
        return checkInt(a * b, ctx);
      case "/":
        return intTrueDivide(a, b);
      case "//":
        return intFloorDivide(a, b);
      case "%":
        return intModulo(a, b);
      case "**":
        return intPower(a, b, meter);
    }
  }
  const x = toFloat(a);
  const y = toFloat(b);
  switch (op) {
    // IEEE overflow to ±inf (and inf - inf = nan) is what Python gives for these three too.
    case "+":
      return x + y;
    case "-":
      return x - y;
    case "*":
      return x * y;
    case "/":
      if (y === 0) throw new ExprError("float division by zero");
      return x / y;
    case "//":
      if (y === 0) throw new ExprError("float floor division by zero");
      return floatDivMod(x, y)[0];
    case "%":
      if (y === 0) throw new ExprError("float modulo");
      return floatDivMod(x, y)[1];
    case "**":
      return floatPower(x, y);
  }
}

const LARGE = 1n << 64n;

const isLarge = (x: bigint): boolean => x >= LARGE || x <= -LARGE;

function spend(meter: Meter, bits: number): void {
  meter.work += bits;
  if (meter.work > meter.ctx.maxIntWork) {
    throw new ExprError(`integer arithmetic exceeds the work limit (${meter.ctx.maxIntWork} bits)`);
  }
}

function checkInt(x: bigint, ctx: Context): bigint {
  if (x >= ctx.intBound || x <= ctx.negIntBound) {
    throw new ExprError(`integer exceeds the limit (${ctx.maxIntBits} bits)`);
  }
  return x;
}

function formatInt(x: bigint, ctx: Context): string {
  if (x >= ctx.digitBound || x <= ctx.negDigitBound) {
    throw new ExprError(
      `Exceeds the limit (${ctx.maxIntDigits} digits) for integer string conversion`,
    );
  }
  return x.toString();
}

/** Python's int-to-float conversion: correctly rounded (as `Number()` is), never infinite. */
function toFloat(x: Num): number {
  if (typeof x === "number") return x;
  const f = Number(x);
  if (!Number.isFinite(f)) throw new ExprError("int too large to convert to float");
  return f;
}

function bitLength(x: bigint): number {
  if (x < 0n) x = -x;
  if (x < 0x1_0000_0000n) return 32 - Math.clz32(Number(x));
  const hex = x.toString(16);
  return (hex.length - 1) * 4 + 32 - Math.clz32(parseInt(hex[0], 16));
}

const MAX_EXACT = 2n ** 53n;
const FLOAT_BITS = new Float64Array(1);
const FLOAT_WORD = new BigUint64Array(FLOAT_BITS.buffer);

/** `2 ** k`, exactly, for `-1074 <= k <= 1023`, built from its bit pattern. */
function powerOfTwo(k: number): number {
  FLOAT_WORD[0] = k >= -1022 ? BigInt(k + 1023) << 52n : 1n << BigInt(k + 1074);
  return FLOAT_BITS[0];
}

/** `a / b` on ints, correctly rounded to the nearest float (ties to even), as CPython does. */
function intTrueDivide(a: bigint, b: bigint): number {
  if (b === 0n) throw new ExprError("division by zero");
  const negative = (a < 0n) !== (b < 0n);
  const x = a < 0n ? -a : a;
  const y = b < 0n ? -b : b;
  // Both operands are exact as floats, and IEEE division rounds correctly.
  if (x <= MAX_EXACT && y <= MAX_EXACT) return Number(a) / Number(b);
  if (x === 0n) return negative ? -0 : 0;
  // Scale so that the integer quotient q has at least 55 bits: 53 for the significand, one to
  // round with, and the remainder as the sticky bit for ties.
  const shift = bitLength(y) - bitLength(x) + 55;
  const n = shift >= 0 ? x << BigInt(shift) : x;
  const d = shift >= 0 ? y : y << BigInt(-shift);
  const q = n / d;
  const inexact = n % d !== 0n;
  const exponent = bitLength(q) - 1 - shift; // x/y lies in [2**exponent, 2**(exponent + 1))
  if (exponent > 1023) throw new ExprError("integer division result too large for a float");
  // Subnormal results keep fewer bits, rounding once at the right place.
  const last = Math.max(exponent - 52, -1074);
  const drop = BigInt(last + shift);
  let m = q >> drop;
  const rest = q & ((1n << drop) - 1n);
  const half = 1n << (drop - 1n);
  if (rest > half || (rest === half && (inexact || (m & 1n) === 1n))) m++;
  const result = Number(m) * powerOfTwo(last);
  if (result === Infinity) throw new ExprError("integer division result too large for a float");
  return negative ? -result : result;
}

function intFloorDivide(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new ExprError("integer division or modulo by zero");
  const q = a / b;
  return (a < 0n) !== (b < 0n) && q * b !== a ? q - 1n : q;
}

function intModulo(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new ExprError("integer modulo by zero");
  const r = a % b;
  return r !== 0n && (r < 0n) !== (b < 0n) ? r + b : r;
}

function intPower(a: bigint, b: bigint, meter: Meter): Num {
  const ctx = meter.ctx;
  // CPython hands negative exponents to float power.
  if (b < 0n) return floatPower(toFloat(a), toFloat(b));
  if (a === 0n) return b === 0n ? 1n : 0n;
  if (a === 1n) return 1n;
  if (a === -1n) return (b & 1n) === 0n ? 1n : -1n;
  // |a| >= 2, so the result has at least (bits(a) - 1) * b + 1 bits: refuse before computing.
  const bits = bitLength(a);
  if (b > BigInt(ctx.maxIntBits) || (bits - 1) * Number(b) >= ctx.maxIntBits) {
    throw new ExprError(`integer exceeds the limit (${ctx.maxIntBits} bits)`);
  }
  const estimate = bits * Number(b);
  if (estimate > 64) spend(meter, estimate);
  return checkInt(a ** b, ctx);
}

const copySignOfZero = (sign: number): number => (sign < 0 || Object.is(sign, -0) ? -0 : 0);

/** CPython's `_float_div_mod`: floor quotient and remainder with the divisor's sign. */
function floatDivMod(vx: number, wx: number): [number, number] {
  // JavaScript's % on numbers is C's fmod: exact, with the dividend's sign.
  let mod = vx % wx;
  let div = (vx - mod) / wx;
  // Spelled out because C's truth test counts NaN as non-zero and JavaScript's does not.
  if (mod !== 0) {
    if ((wx < 0) !== (mod < 0)) {
      mod += wx;
      div -= 1;
    }
  } else {
    mod = copySignOfZero(wx);
  }
  let floorDiv: number;
  if (div !== 0) {
    // div is within rounding error of an integer; snap it.
    floorDiv = Math.floor(div);
    if (div - floorDiv > 0.5) floorDiv += 1;
  } else {
    floorDiv = copySignOfZero(vx / wx);
  }
  return [floorDiv, mod];
}

const isOddInteger = (x: number): boolean => Math.abs(x) % 2 === 1;

/** CPython's `float_pow`, which settles the special cases itself rather than trusting libm. */
function floatPower(iv: number, iw: number): number {
  if (iw === 0) return 1;
  if (Number.isNaN(iv)) return iv;
  if (Number.isNaN(iw)) return iv === 1 ? 1 : iw;
  if (!Number.isFinite(iw)) {
    const base = Math.abs(iv);
    if (base === 1) return 1;
    return (iw > 0) === (base > 1) ? Infinity : 0;
  }
  if (!Number.isFinite(iv)) {
    if (iw > 0) return isOddInteger(iw) ? iv : Infinity;
    return isOddInteger(iw) ? copySignOfZero(iv) : 0;
  }
  if (iv === 0) {
    if (iw < 0) throw new ExprError("0.0 cannot be raised to a negative power");
    return isOddInteger(iw) ? iv : 0;
  }
  let negate = false;
  if (iv < 0) {
    // CPython returns a complex number here; this evaluator has no complex type.
    if (iw !== Math.floor(iw)) {
      throw new ExprError("negative number cannot be raised to a fractional power");
    }
    iv = -iv;
    negate = isOddInteger(iw);
  }
  if (iv === 1) return negate ? -1 : 1;
  const result = iv ** iw;
  // libm reports overflow as ERANGE, which CPython raises; underflow to zero is fine.
  if (result === Infinity) throw new ExprError("Numerical result out of range");
  return negate ? -result : result;
}
