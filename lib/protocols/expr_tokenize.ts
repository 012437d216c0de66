/**
 * The evaluator's tokenizer: {@linkcode tokenize} reads a source as CPython 3.11's tokenizer does
 * for `eval()`, numeric literals included, with the same error for each malformed token. It is
 * a file of its own because it is a stage of its own with its own tables (character codes,
 * operators, keywords): the parser (expr_parser.ts) reads only the tokens and the error the
 * tokenizer stopped at, since CPython's choice between a tokenizer error and a syntax error
 * depends on how far each got.
 *
 * @module
 */

import { checkInt, type Context, ExprError, type Num } from "./expr_types.ts";

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
export const ZERO = 48;
const BACKSLASH = 92;
const UNDERSCORE = 95;

// Token kinds.
export const T_NUMBER = 0;
/** An operator of the supported subset. */
export const T_OP = 1;
export const T_OPEN = 2;
export const T_CLOSE = 3;
export const T_NEWLINE = 4;
export const T_INDENT = 5;
export const T_END = 6;
/** A name, which parses but which the evaluator refuses. */
export const T_NAME = 8;
/** Any other token CPython's tokenizer accepts (`=`, `,`, `[`, `$`, …): no rule here takes it. */
export const T_OTHER = 7;

export interface Token {
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
export interface Tokens {
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
export function tokenize(src: string, ctx: Context): Tokens {
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

function uPlus(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
}
