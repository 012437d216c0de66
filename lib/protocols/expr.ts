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

/**
 * Thrown inside this module only; {@linkcode evaluate} turns it into an error result. A syntax
 * error carries the line CPython would name, and prints as `str(SyntaxError)` does.
 */
class ExprError extends Error {
  constructor(message: string, readonly line?: number) {
    super(line === undefined ? message : `${message} (<string>, line ${line})`);
  }
}

/** A Python value: `bigint` for int, `number` for float, `boolean` for bool. */
type Num = bigint | number | boolean;

type UnaryOp = "neg" | "pos" | "inv";
type BinaryOp =
  | "+"
  | "-"
  | "*"
  | "/"
  | "//"
  | "%"
  | "**"
  | "<<"
  | ">>"
  | "&"
  | "^"
  | "|";
type CompareOp = "<" | ">" | "<=" | ">=" | "==" | "!=";

/**
 * One comparison of a chain. `end` is where the chain's code ends, for a comparison that is not
 * the chain's last: a false result jumps there (Python evaluates no further operand), a true one
 * leaves the right operand as the next comparison's left.
 */
interface Compare {
  op: CompareOp;
  end?: number;
}

/** Postfix code: operands are pushed, operators pop theirs and push the result. */
type Program = (Num | UnaryOp | BinaryOp | Compare)[];

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
const SQUOTE = 39;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const BACKSLASH = 92;
const UNDERSCORE = 95;

// Token kinds.
const T_NUMBER = 0;
/** An operator of the supported subset. */
const T_OP = 1;
const T_OPEN = 2;
const T_CLOSE = 3;
const T_NEWLINE = 4;
const T_INDENT = 5;
const T_END = 6;
/** A name, which parses but which the evaluator refuses. */
const T_NAME = 8;
/** Any other token CPython's tokenizer accepts (`=`, `,`, `[`, `$`, …): no rule here takes it. */
const T_OTHER = 7;

interface Token {
  kind: number;
  /** The operator or bracket. */
  text: string;
  value: Num;
  /** Why a number token has no value. */
  error?: string;
  line: number;
  /** Open brackets after this token, as CPython's `Token.level`. */
  level: number;
  /** Where the token ends in the source. */
  end: number;
}

/** Python's operators and delimiters, longest first, so that a scan takes the longest match. */
const PYTHON_OPERATORS = [
  "**=",
  "//=",
  ">>=",
  "<<=",
  "...",
  "!=",
  "%=",
  "&=",
  "**",
  "*=",
  "+=",
  "-=",
  "->",
  "//",
  "/=",
  ":=",
  "<<",
  "<=",
  "<>",
  "==",
  ">=",
  ">>",
  "@=",
  "^=",
  "|=",
  "+",
  "-",
  "*",
  "/",
  "%",
  "~",
  "|",
  "&",
  "^",
  "<",
  ">",
  "=",
  ".",
  ",",
  ":",
  ";",
  "@",
  "!",
  "$",
  "?",
  "`",
]; // deno-fmt-ignore

const SUPPORTED_OPERATORS = new Set([
  "+", "-", "*", "/", "//", "%", "**", "~", "<<", ">>", "&", "^", "|",
  "<", ">", "<=", ">=", "==", "!=",
]); // deno-fmt-ignore

const CLOSER: Record<string, string> = { ")": "(", "]": "[", "}": "{" };

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Lowercases an ASCII letter's code; other codes stay distinct from all letters. */
const lower = (c: number): number => c | 0x20;

/** ASCII characters CPython reads as part of a name. */
const isNameChar = (c: number): boolean =>
  (lower(c) >= 97 && lower(c) <= 122) || c === UNDERSCORE || isDigit(c);

/** Whether `c` is a digit of the given radix (2, 8 or 16). */
function isRadixDigit(c: number, radix: number): boolean {
  if (radix === 16) return isDigit(c) || (lower(c) >= 97 && lower(c) <= 102);
  return c >= 48 && c < 48 + radix;
}

const NAME_START = /\p{XID_Start}/u;
const NAME_CONTINUE = /\p{XID_Continue}/u;
const KEYWORDS = new Set([
  "None",
  "and",
  "as",
  "assert",
  "async",
  "await",
  "break",
  "class",
  "continue",
  "def",
  "del",
  "elif",
  "else",
  "except",
  "finally",
  "for",
  "from",
  "global",
  "if",
  "import",
  "in",
  "is",
  "lambda",
  "nonlocal",
  "not",
  "or",
  "pass",
  "raise",
  "return",
  "try",
  "while",
  "with",
  "yield",
]); // deno-fmt-ignore
/** What `str.isprintable()` refuses: categories C* and Z* other than the space. */
const NON_PRINTABLE = /[\p{C}\p{Z}]/u;

/** What CPython's tokenizer made of a whole input. */
interface Tokens {
  tokens: Token[];
  /**
   * The error the tokenizer stopped at, met by whoever reads `tokens[tokens.length]`; none when
   * the input ends in an end marker.
   */
  error?: ExprError;
  /**
   * Whether `error` is one CPython's tokenizer raises itself (a bad literal, character or
   * bracket), which it reports even when the parser failed before reaching it. The others
   * (brackets still open at the end, too deep a nesting, a bad continuation) are only reported
   * when the parser reads that far.
   */
  raised: boolean;
  /** The innermost bracket still open where the tokenizer stopped. */
  open?: { char: string; line: number };
}

/**
 * Tokenizes like CPython's tokenizer for `eval()`: a logical line, blank lines, comments,
 * continuations, brackets (no line ends inside them), NEWLINE and INDENT tokens, and the same
 * error for each malformed token.
 */
function tokenize(src: string, ctx: Context): Tokens {
  const tokens: Token[] = [];
  const brackets: { char: string; line: number }[] = [];
  const length = src.length;
  let line = 1;
  let lineHasTokens = false;
  let lineStart = true;
  let column = 0;
  /** The line so far is a comment, which makes it blank. */
  let comment = false;
  // Python's eval() drops leading spaces and tabs before tokenizing, so they are no indent.
  let pos = 0;
  while (src.charCodeAt(pos) === SPACE || src.charCodeAt(pos) === TAB) pos++;
  const push = (kind: number, text: string, value: Num = 0, length = 0) =>
    tokens.push({ kind, text, value, line, level: brackets.length, end: pos + length });
  const stop = (message: string, raised = true): Tokens => ({
    tokens,
    error: new ExprError(message, line),
    raised,
    open: brackets[brackets.length - 1],
  });
  const refuse = (message: string): Tokens => ({
    tokens,
    error: new ExprError(message),
    raised: true,
  });
  for (;;) {
    const c = src.charCodeAt(pos);
    if (pos >= length) {
      // An indented last line that does not end is no blank line to CPython, even if empty.
      if (lineStart && column > 0 && !comment) push(T_INDENT, "");
      if (brackets.length > 0) {
        const open = brackets[brackets.length - 1];
        return {
          tokens,
          error: new ExprError(`'${open.char}' was never closed`, open.line),
          raised: false,
          open,
        };
      }
      if (lineHasTokens) push(T_NEWLINE, "");
      const last = src.charCodeAt(length - 1);
      if (length === 0 || last === LF || last === CR) line--;
      push(T_END, "");
      return { tokens, raised: false };
    }
    if (c === SPACE || c === TAB) {
      column++;
      pos++;
      continue;
    }
    if (c === FF) {
      // Python resets the indentation count at a form feed.
      column = 0;
      pos++;
      continue;
    }
    if (c === HASH) {
      comment = lineStart;
      while (pos < length && src.charCodeAt(pos) !== LF && src.charCodeAt(pos) !== CR) pos++;
      continue;
    }
    if (c === BACKSLASH) {
      const after = src.charCodeAt(pos + 1);
      if (after !== LF && after !== CR) {
        return stop("unexpected character after line continuation character", false);
      }
      pos += after === CR && src.charCodeAt(pos + 2) === LF ? 3 : 2;
      if (pos >= length) return stop("unexpected EOF while parsing", false);
      line++;
      continue;
    }
    if (c === LF || c === CR) {
      pos += c === CR && src.charCodeAt(pos + 1) === LF ? 2 : 1;
      if (brackets.length === 0) {
        if (lineHasTokens) push(T_NEWLINE, "");
        lineHasTokens = false;
        lineStart = true;
        column = 0;
      }
      comment = false;
      line++;
      continue;
    }
    if (lineStart) {
      lineStart = false;
      if (column > 0) push(T_INDENT, "");
    }
    lineHasTokens = true;
    if (isDigit(c) || (c === DOT && isDigit(src.charCodeAt(pos + 1)))) {
      const scanned = scanNumber(src, pos, ctx);
      if (typeof scanned === "string") {
        return scanned.startsWith("complex") ? refuse(scanned) : stop(scanned);
      }
      push(T_NUMBER, "", scanned.value, scanned.end - pos);
      tokens[tokens.length - 1].error = scanned.error;
      pos = scanned.end;
      continue;
    }
    if (c === 0x28 || c === 0x5b || c === 0x7b) {
      if (brackets.length >= ctx.maxDepth) return stop("too many nested parentheses", false);
      brackets.push({ char: src[pos], line });
      push(c === 0x28 ? T_OPEN : T_OTHER, src[pos], 0, 1);
      pos++;
      continue;
    }
    if (c === 0x29 || c === 0x5d || c === 0x7d) {
      const char = src[pos];
      const open = brackets.pop();
      if (!open) return stop(`unmatched '${char}'`);
      if (open.char !== CLOSER[char]) {
        const where = open.line === line ? "" : ` on line ${open.line}`;
        return stop(
          `closing parenthesis '${char}' does not match opening parenthesis '${open.char}'${where}`,
        );
      }
      push(c === 0x29 ? T_CLOSE : T_OTHER, char, 0, 1);
      pos++;
      continue;
    }
    if (c === SQUOTE || c === DQUOTE) return refuse("strings are not allowed");
    if (c < SPACE || c === 0x7f) return stop(`invalid non-printable character ${uPlus(c)}`);
    if (c >= 0x80 || isNameChar(c)) {
      // CPython reads every non-ASCII character as part of a name, then checks the name.
      let end = pos;
      while (end < length && (src.charCodeAt(end) >= 0x80 || isNameChar(src.charCodeAt(end)))) {
        end++;
      }
      const name = src.slice(pos, end);
      let first = true;
      for (const char of name) {
        const valid = char.charCodeAt(0) < 0x80 || (first ? NAME_START : NAME_CONTINUE).test(char);
        first = false;
        if (valid) continue;
        const code = uPlus(char.codePointAt(0)!);
        if (NON_PRINTABLE.test(char)) return stop(`invalid non-printable character ${code}`);
        return stop(`invalid character '${char}' (${code})`);
      }
      // Keywords start constructs this evaluator lacks (`if`, `lambda`, …): refused at once.
      if (KEYWORDS.has(name)) return refuse("names are not allowed");
      if (name === "True" || name === "False") push(T_NUMBER, "", name === "True", name.length);
      else push(T_NAME, name, 0, name.length);
      pos = end;
      continue;
    }
    const op = PYTHON_OPERATORS.find((o) => src.startsWith(o, pos))!;
    push(SUPPORTED_OPERATORS.has(op) ? T_OP : T_OTHER, op, 0, op.length);
    pos += op.length;
  }
}

/** A numeric literal's value, or the error converting it gives, and where it ends. */
interface ScannedNumber {
  value: Num;
  error?: string;
  end: number;
}

/**
 * Scans a numeric literal at `start` with the rules of CPython's tokenizer.
 *
 * @returns Its value and end, or the tokenizer's error message.
 */
function scanNumber(src: string, start: number, ctx: Context): ScannedNumber | string {
  let pos = start;
  let c = src.charCodeAt(pos);
  if (c === ZERO) {
    const prefix = lower(src.charCodeAt(pos + 1));
    if (prefix === 120) return scanRadixNumber(src, start, 16, "hexadecimal", ctx);
    if (prefix === 111) return scanRadixNumber(src, start, 8, "octal", ctx);
    if (prefix === 98) return scanRadixNumber(src, start, 2, "binary", ctx);
  }
  /** Skips `digit (['_'] digit)*` from a digit; -1 for a `_` not followed by a digit. */
  const digitPart = (at: number): number => {
    for (;;) {
      while (isDigit(src.charCodeAt(at))) at++;
      if (src.charCodeAt(at) !== UNDERSCORE) return at;
      if (!isDigit(src.charCodeAt(++at))) return -1;
    }
  };
  let isFloat = false;
  if (c !== DOT) {
    pos = digitPart(pos);
    if (pos < 0) return "invalid decimal literal";
    c = src.charCodeAt(pos);
  }
  if (c === DOT) {
    isFloat = true;
    pos++;
    if (isDigit(src.charCodeAt(pos))) {
      pos = digitPart(pos);
      if (pos < 0) return "invalid decimal literal";
    }
    c = src.charCodeAt(pos);
  }
  if (lower(c) === 101) {
    const sign = src.charCodeAt(pos + 1);
    const first = pos + (sign === PLUS || sign === MINUS ? 2 : 1);
    if (!isDigit(src.charCodeAt(first))) return "invalid decimal literal";
    isFloat = true;
    pos = digitPart(first);
    if (pos < 0) return "invalid decimal literal";
    c = src.charCodeAt(pos);
  }
  const text = src.slice(start, pos).replaceAll("_", "");
  let zeros = 0;
  while (text.charCodeAt(zeros) === ZERO) zeros++;
  // CPython tests this before what follows the literal, except for an imaginary one.
  if (!isFloat && zeros > 0 && zeros < text.length && lower(c) !== 106) {
    return "leading zeros in decimal integer literals are not permitted; " +
      "use an 0o prefix for octal integers";
  }
  if (lower(c) === 106) return "complex numbers are not supported";
  // Only ASCII: a name starting with another character is a token of its own.
  if (isNameChar(c)) return "invalid decimal literal";
  // Correctly rounded like CPython's strtod, overflowing to inf and underflowing to 0.0.
  if (isFloat) return { value: Number(text), end: pos };
  const digits = text.length - zeros;
  if (digits > ctx.maxIntDigits) {
    const error = `Exceeds the limit (${ctx.maxIntDigits} digits) for integer string ` +
      `conversion: value has ${digits} digits; use sys.set_int_max_str_digits() to increase ` +
      "the limit - Consider hexadecimal for huge integer literals to avoid decimal conversion " +
      "limits.";
    return { value: 0n, end: pos, error };
  }
  return { value: checkInt(BigInt(text), ctx), end: pos };
}

/** Scans `0x…`, `0o…` or `0b…` at `start`, its leading zero. */
function scanRadixNumber(
  src: string,
  start: number,
  radix: number,
  name: string,
  ctx: Context,
): ScannedNumber | string {
  let pos = start + 2;
  let c: number;
  do {
    if (src.charCodeAt(pos) === UNDERSCORE) pos++;
    c = src.charCodeAt(pos);
    if (!isRadixDigit(c, radix)) {
      if (isDigit(c)) return `invalid digit '${src[pos]}' in ${name} literal`;
      return `invalid ${name} literal`;
    }
    while (isRadixDigit(src.charCodeAt(pos), radix)) pos++;
    c = src.charCodeAt(pos);
  } while (c === UNDERSCORE);
  if (isDigit(c)) return `invalid digit '${src[pos]}' in ${name} literal`;
  if (isNameChar(c)) return `invalid ${name} literal`;
  // BigInt() accepts the same prefixes; the digit count is bounded by the input length, and
  // the bit limit catches what is too large.
  return { value: checkInt(BigInt(src.slice(start, pos).replaceAll("_", "")), ctx), end: pos };
}

/** A syntax error the second pass raised: reported unless the tokenizer raised one later. */
class SpecificSyntaxError extends ExprError {}

/**
 * Parses like CPython's PEG parser, for the arithmetic subset of Python's grammar plus what
 * shares its syntax errors (calls, `()`): a first pass that emits postfix code, and after a
 * failure a second one with CPython's `invalid_*` rules that may name the error better. Errors
 * are chosen in CPython's order (`_PyPegen_set_syntax_error`): a token read raises the
 * tokenizer's error at once, a bracket open at the end says it was never closed, then a second
 * pass error, and a tokenizer error anywhere in the line wins over that and over the generic
 * `invalid syntax`.
 *
 * Recursion happens only inside brackets, whose depth the tokenizer bounds; operator chains
 * are loops. The second pass memoizes its speculative parses, so it stays linear too.
 */
class Parser {
  #tokens: Token[];
  #end: Tokens;
  #pos = 0;
  /** The furthest token read, CPython's `p->fill - 1`. */
  #furthest = 0;
  /** CPython's `call_invalid_rules`: on in the second pass, off inside its speculations. */
  #invalid: boolean;
  #code: Program = [];
  /** What was parsed that the evaluator has no type for, such as a call. */
  unsupported: string | undefined;
  /** The second pass's memo: where a rule parsed at a position ended, -1 if it failed. */
  #memo: Map<number, number> | undefined;
  #legacyDepth = 0;

  constructor(tokens: Tokens, second: boolean) {
    this.#tokens = tokens.tokens;
    this.#end = tokens;
    this.#invalid = second;
    if (second) this.#memo = new Map();
  }

  /** Parses a whole input into postfix code; throws the syntax error CPython would raise. */
  static parse(src: string, ctx: Context): { code: Program; unsupported?: string } {
    const tokens = tokenize(src, ctx);
    let last: Token;
    const second = new Parser(tokens, true);
    try {
      const first = new Parser(tokens, false);
      if (first.#eval()) return { code: first.#code, unsupported: first.unsupported };
      last = first.#tokens[first.#furthest];
      second.#furthest = first.#furthest;
      second.#eval();
    } catch (e) {
      // CPython looks further only while its tokenizer is not done: reading the furthest token
      // up to the end of the source (as when it ends the input) made it so.
      if (e instanceof SpecificSyntaxError) {
        const furthest = tokens.tokens[second.#furthest];
        const unread = !furthest || furthest.end < src.length;
        throw (unread ? second.#laterError(tokens) : undefined) ?? e;
      }
      throw e;
    }
    if (last.kind === T_INDENT) throw new ExprError("unexpected indent", last.line);
    throw second.#laterError(tokens) ?? new ExprError("invalid syntax", last.line);
  }

  /**
   * CPython's `_PyPegen_tokenize_full_source_to_check_for_errors`: what the tokenizer finds
   * after the parser gave up overrides the parser's error if it raised it, or if it is a bracket
   * left open on a line before the furthest one the parser read.
   */
  #laterError(tokens: Tokens): ExprError | undefined {
    if (!tokens.error) return undefined;
    if (tokens.raised) return tokens.error;
    const line = this.#tokens[Math.min(this.#furthest, this.#tokens.length - 1)].line;
    const open = tokens.open;
    if (open && line > open.line) {
      return new ExprError(`'${open.char}' was never closed`, open.line);
    }
    return undefined;
  }

  /** Reads the current token, raising what the tokenizer stopped at if that is where it is. */
  #peek(): Token {
    const pos = this.#pos;
    if (pos > this.#furthest) this.#furthest = pos;
    const token = this.#tokens[pos];
    if (token === undefined) throw this.#end.error!;
    return token;
  }

  #isOp(text: string): boolean {
    const token = this.#peek();
    return token.kind === T_OP && token.text === text;
  }

  #isKind(kind: number): boolean {
    return this.#peek().kind === kind;
  }

  /** Moves back after a failed alternative, dropping the code it emitted. */
  #reset(pos: number, codeLength: number): void {
    this.#pos = pos;
    this.#code.length = codeLength;
  }

  // eval: expression NEWLINE* ENDMARKER
  #eval(): boolean {
    if (!this.#expression()) return false;
    while (this.#isKind(T_NEWLINE)) this.#pos++;
    return this.#isKind(T_END);
  }

  // expression: invalid_expression | disjunction (names, `if` and `lambda` are refused earlier)
  #expression(): boolean {
    const start = this.#pos;
    const known = this.#recall(RULE_EXPRESSION);
    if (known !== undefined) return known;
    if (this.#invalid) {
      this.#invalidExpression();
      this.#pos = start;
      this.#invalidLegacyExpression();
      this.#pos = start;
    }
    return this.#store(RULE_EXPRESSION, start, this.#comparison());
  }

  /**
   * The second pass's memo of a rule CPython memoizes, at the current position: whether it
   * parsed there (moving to its end), or undefined if not known yet. The memo does not record
   * whether the `invalid_*` rules were on, as CPython's does not: a rule first parsed without
   * them (inside `expression_without_invalid`) is not parsed again with them, and the error
   * they would have raised there is not raised. (Inline rather than a wrapper taking a closure,
   * which would triple the stack frames per bracket level.)
   */
  #recall(rule: number): boolean | undefined {
    const known = this.#memo?.get(this.#pos * RULE_COUNT + rule);
    if (known === undefined) return undefined;
    if (known >= 0) this.#pos = known;
    return known >= 0;
  }

  #store(rule: number, start: number, ok: boolean): boolean {
    this.#memo?.set(start * RULE_COUNT + rule, ok ? this.#pos : -1);
    return ok;
  }

  // invalid_expression: a=disjunction b=expression_without_invalid, raised inside brackets only
  #invalidExpression(): void {
    const start = this.#pos;
    if (!this.#comparison()) return;
    this.#invalid = false;
    let ok: boolean;
    try {
      ok = this.#comparison();
    } finally {
      this.#invalid = true;
    }
    if (ok && this.#tokens[this.#pos - 1].level > 0) {
      throw new SpecificSyntaxError(
        "invalid syntax. Perhaps you forgot a comma?",
        this.#tokens[start].line,
      );
    }
  }

  // invalid_legacy_expression: NAME !'(' star_expressions, for `print x`; every name is refused
  // here, but the operand is read as CPython reads it, and that may raise an error of its own.
  // A run of names nests this rule once per name, outside any bracket: past MAX_LEGACY_DEPTH
  // (where CPython's own parser has long run out of stack) it is not followed.
  #invalidLegacyExpression(): void {
    if (!this.#isKind(T_NAME) || this.#legacyDepth >= MAX_LEGACY_DEPTH) return;
    this.#pos++;
    if (this.#isKind(T_OPEN)) return;
    this.#legacyDepth++;
    try {
      if (this.#isOp("*")) {
        this.#pos++;
        this.#binary(0);
      } else {
        this.#expression();
      }
    } finally {
      this.#legacyDepth--;
    }
  }

  // comparison: bitwise_or (compare_op bitwise_or)*
  #comparison(): boolean {
    const start = this.#pos;
    const known = this.#recall(RULE_COMPARISON);
    if (known !== undefined) return known;
    if (!this.#binary(0)) return this.#store(RULE_COMPARISON, start, false);
    let chain: Compare[] | undefined;
    for (;;) {
      const token = this.#peek();
      if (token.kind !== T_OP || !COMPARE_OPS.has(token.text)) break;
      const pos = this.#pos;
      const codeLength = this.#code.length;
      this.#pos++;
      if (!this.#binary(0)) {
        this.#reset(pos, codeLength);
        break;
      }
      const compare: Compare = { op: token.text as CompareOp };
      (chain ??= []).push(compare);
      this.#code.push(compare);
    }
    if (chain) {
      for (let i = 0; i < chain.length - 1; i++) chain[i].end = this.#code.length;
    }
    return this.#store(RULE_COMPARISON, start, true);
  }

  // bitwise_or, bitwise_xor, bitwise_and, shift_expr, sum, term: left-associative levels
  #binary(level: number): boolean {
    if (level === BINARY_LEVELS.length) return this.#factor();
    const start = this.#pos;
    const rule = RULE_BINARY + level;
    const known = this.#recall(rule);
    if (known !== undefined) return known;
    if (!this.#binary(level + 1)) return this.#store(rule, start, false);
    const ops = BINARY_LEVELS[level];
    for (;;) {
      const token = this.#peek();
      if (token.kind !== T_OP || !ops.includes(token.text)) break;
      const pos = this.#pos;
      const codeLength = this.#code.length;
      this.#pos++;
      if (!this.#binary(level + 1)) {
        this.#reset(pos, codeLength);
        break;
      }
      this.#code.push(token.text as BinaryOp);
    }
    return this.#store(rule, start, true);
  }

  // factor: ('+' | '-' | '~') factor | power;  power: primary ['**' factor]
  // `**` takes a factor on its right, so `-2**-1` is `-(2**(-1))`: every prefix operator and
  // `**` is stacked as met and emitted in reverse once the chain's last primary is parsed. A
  // failed right operand of `**` leaves that `**` unparsed, as a failed PEG alternative does.
  #factor(): boolean {
    const start = this.#pos;
    const known = this.#recall(RULE_FACTOR);
    if (known !== undefined) return known;
    const startLength = this.#code.length;
    const pending: (UnaryOp | "**")[] = [];
    let power = -1;
    let powerLength = 0;
    let powerPending = 0;
    for (;;) {
      for (;;) {
        const token = this.#peek();
        if (token.kind !== T_OP) break;
        const unary = UNARY[token.text];
        if (!unary) break;
        pending.push(unary);
        this.#pos++;
      }
      if (!this.#primary()) {
        if (power < 0) {
          this.#reset(start, startLength);
          return this.#store(RULE_FACTOR, start, false);
        }
        this.#reset(power, powerLength);
        pending.length = powerPending;
        break;
      }
      if (!this.#isOp("**")) break;
      power = this.#pos;
      powerLength = this.#code.length;
      powerPending = pending.length;
      pending.push("**");
      this.#pos++;
    }
    for (let i = pending.length - 1; i >= 0; i--) this.#code.push(pending[i]);
    return this.#store(RULE_FACTOR, start, true);
  }

  // primary: atom ('.' NAME | '(' [arguments] ')')*
  #primary(): boolean {
    const start = this.#pos;
    const known = this.#recall(RULE_PRIMARY);
    if (known !== undefined) return known;
    if (!this.#atom()) return this.#store(RULE_PRIMARY, start, false);
    for (;;) {
      const token = this.#peek();
      if (token.kind === T_OTHER && token.text === ".") {
        this.#pos++;
        if (!this.#isKind(T_NAME)) {
          this.#pos--;
          break;
        }
        this.#pos++;
        this.unsupported ??= "names are not allowed";
        continue;
      }
      if (token.kind !== T_OPEN) break;
      const pos = this.#pos;
      const codeLength = this.#code.length;
      this.#pos++;
      if (!this.#isKind(T_CLOSE)) {
        // arguments without commas: one `*expression`, `**expression` or expression
        if (this.#isOp("*") || this.#isOp("**")) this.#pos++;
        if (!this.#expression() || !this.#isKind(T_CLOSE)) {
          this.#reset(pos, codeLength);
          break;
        }
      }
      this.#pos++;
      this.unsupported ??= "calls are not supported";
    }
    return this.#store(RULE_PRIMARY, start, true);
  }

  // atom: NUMBER | '(' ')' | '(' expression ')' | invalid_group
  #atom(): boolean {
    const token = this.#peek();
    if (token.kind === T_NUMBER) {
      // CPython converts the literal as it parses it, and a later tokenizer error wins.
      if (token.error) throw new SpecificSyntaxError(token.error, token.line);
      this.#code.push(token.value);
      this.#pos++;
      return true;
    }
    if (token.kind === T_NAME) {
      this.#pos++;
      this.unsupported ??= "names are not allowed";
      return true;
    }
    if (token.kind !== T_OPEN) return false;
    const start = this.#pos;
    const codeLength = this.#code.length;
    this.#pos++;
    if (this.#isKind(T_CLOSE)) {
      this.#pos++;
      this.unsupported ??= "tuples are not supported";
      return true;
    }
    // tuple: '(' star_named_expression ',' …: with no comma it fails, but its operand is read
    // (one not starred is read again by the group, memoized in the second pass)
    if (this.#isOp("*")) {
      this.#pos++;
      this.#binary(0);
    } else if (this.#memo) {
      this.#expression();
    }
    // group: '(' expression ')'
    this.#reset(start + 1, codeLength);
    if (this.#expression() && this.#isKind(T_CLOSE)) {
      this.#pos++;
      return true;
    }
    if (this.#invalid) this.#invalidGroup(start);
    this.#reset(start, codeLength);
    return false;
  }

  // invalid_group: '(' starred_expression ')' | '(' '**' expression ')'
  #invalidGroup(start: number): void {
    this.#pos = start + 1;
    const star = this.#peek();
    if (star.kind !== T_OP || (star.text !== "*" && star.text !== "**")) return;
    this.#pos++;
    if (this.#expression() && this.#isKind(T_CLOSE)) {
      throw new SpecificSyntaxError(
        `cannot use ${star.text === "*" ? "" : "double "}starred expression here`,
        star.line,
      );
    }
  }
}

// The rules the second pass memoizes, as CPython does (`(memo)` or left-recursive in its
// grammar), each with its number in the memo's keys.
const RULE_EXPRESSION = 0;
const RULE_COMPARISON = 1;
const RULE_FACTOR = 2;
const RULE_PRIMARY = 3;
const RULE_BINARY = 4;
const RULE_COUNT = RULE_BINARY + 6;

/** How deep `invalid_legacy_expression` may nest; CPython 3.11 fails near 1,500 names. */
const MAX_LEGACY_DEPTH = 500;

const COMPARE_OPS = new Set(["<", ">", "<=", ">=", "==", "!="]);

/** The binary operators from the loosest binding to the tightest, below comparisons. */
const BINARY_LEVELS = [["|"], ["^"], ["&"], ["<<", ">>"], ["+", "-"], ["*", "/", "//", "%"]];

const UNARY: Record<string, UnaryOp> = { "-": "neg", "+": "pos", "~": "inv" };

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
  for (let pc = 0; pc < code.length; pc++) {
    const item = code[pc];
    if (typeof item === "object") {
      const b = stack.pop()!;
      const result = compare(item.op, stack.pop()!, b);
      if (item.end === undefined) {
        stack.push(result);
      } else if (result) {
        stack.push(b);
      } else {
        // Python evaluates the rest of a chain only while it holds.
        stack.push(false);
        pc = item.end - 1;
      }
      continue;
    }
    if (typeof item !== "string") {
      stack.push(item);
      continue;
    }
    switch (item) {
      case "neg":
        stack.push(-toNumber(stack.pop()!));
        break;
      case "pos":
        stack.push(toNumber(stack.pop()!));
        break;
      case "inv": {
        const x = toNumber(stack.pop()!);
        if (typeof x === "number") throw new ExprError("bad operand type for unary ~: 'float'");
        stack.push(~x);
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

/** A bool as the int it is in arithmetic. */
const toNumber = (x: Num): bigint | number => typeof x === "boolean" ? (x ? 1n : 0n) : x;

const typeName = (x: Num): string =>
  typeof x === "boolean" ? "bool" : typeof x === "bigint" ? "int" : "float";

/** Python's comparison of ints, floats and bools, exact across types. */
function compare(op: CompareOp, a: Num, b: Num): boolean {
  const x = toNumber(a);
  const y = toNumber(b);
  let order: number; // negative, zero, positive, or NaN when unordered
  if (typeof x === typeof y) {
    order = x < y ? -1 : x > y ? 1 : x === y ? 0 : NaN;
  } else {
    order = typeof x === "bigint"
      ? compareIntFloat(x, y as number)
      : -compareIntFloat(y as bigint, x as number);
  }
  switch (op) {
    case "<":
      return order < 0;
    case ">":
      return order > 0;
    case "<=":
      return order <= 0;
    case ">=":
      return order >= 0;
    case "==":
      return order === 0;
    case "!=":
      return order !== 0;
  }
}

/** Compares an int with a float exactly, as CPython does, rather than rounding the int. */
function compareIntFloat(i: bigint, f: number): number {
  if (Number.isNaN(f)) return NaN;
  if (f === Infinity) return -1;
  if (f === -Infinity) return 1;
  const floor = Math.floor(f);
  const whole = BigInt(floor);
  if (i !== whole) return i < whole ? -1 : 1;
  return floor === f ? 0 : -1;
}

function binary(op: BinaryOp, a: Num, b: Num, meter: Meter): Num {
  if (op === "&" || op === "|" || op === "^") {
    if (typeof a === "boolean" && typeof b === "boolean") {
      return op === "&" ? a && b : op === "|" ? a || b : a !== b;
    }
  }
  const x = toNumber(a);
  const y = toNumber(b);
  if (typeof x === "bigint" && typeof y === "bigint") return intBinary(op, x, y, meter);
  if (BITWISE.has(op)) {
    throw new ExprError(
      `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`,
    );
  }
  return floatBinary(op, toFloat(x), toFloat(y));
}

const BITWISE = new Set<BinaryOp>(["<<", ">>", "&", "|", "^"]);

function intBinary(op: BinaryOp, a: bigint, b: bigint, meter: Meter): Num {
  const ctx = meter.ctx;
  // Linear operations are cheap enough to go unmetered.
  if (!LINEAR.has(op) && op !== "**" && (isLarge(a) || isLarge(b))) {
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
    case "&":
      return a & b;
    case "|":
      return a | b;
    case "^":
      return a ^ b;
    case "<<":
      return shiftLeft(a, b, ctx);
    case ">>":
      if (b < 0n) throw new ExprError("negative shift count");
      // A count beyond the bit length leaves only the sign, and BigInt refuses huge counts.
      return b >= BigInt(bitLength(a)) ? (a < 0n ? -1n : 0n) : a >> b;
  }
}

const LINEAR = new Set<BinaryOp>(["+", "-", "&", "|", "^", "<<", ">>"]);

/** `a << b`, refused before computing when the result would pass the integer bound. */
function shiftLeft(a: bigint, b: bigint, ctx: Context): bigint {
  if (b < 0n) throw new ExprError("negative shift count");
  if (a === 0n) return 0n;
  if (b >= BigInt(ctx.maxIntBits) || bitLength(a) + Number(b) > ctx.maxIntBits) {
    throw new ExprError(`integer exceeds the limit (${ctx.maxIntBits} bits)`);
  }
  return checkInt(a << b, ctx);
}

function floatBinary(op: BinaryOp, x: number, y: number): number {
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
    default:
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
      `Exceeds the limit (${ctx.maxIntDigits} digits) for integer string conversion; ` +
        "use sys.set_int_max_str_digits() to increase the limit",
    );
  }
  return x.toString();
}

/** Python's int-to-float conversion: correctly rounded (as `Number()` is), never infinite. */
function toFloat(x: bigint | number): number {
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
  // libm reports overflow as ERANGE, which CPython raises as OverflowError(errno, strerror);
  // underflow to zero is fine.
  if (result === Infinity) throw new ExprError("(34, 'Numerical result out of range')");
  return negate ? -result : result;
}
