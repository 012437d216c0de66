/**
 * What every stage of the arithmetic evaluator (expr.ts) shares: its limits and the
 * {@linkcode Context} built from them, the values ({@linkcode Num}), the postfix
 * {@linkcode Program} the parser hands the interpreter, the {@linkcode ExprError} every stage
 * throws, and {@linkcode checkInt}, the integer bound that the tokenizer's literals and the
 * interpreter's results both pass. It is a file of its own so that the tokenizer, the parser and
 * the interpreter depend on this small one rather than on each other.
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

/**
 * Thrown inside the evaluator's files only; `evaluate` (expr.ts) turns it into an error result.
 * A syntax error carries the line CPython would name, and prints as `str(SyntaxError)` does.
 */
export class ExprError extends Error {
  constructor(message: string, readonly line?: number) {
    super(line === undefined ? message : `${message} (<string>, line ${line})`);
  }
}

/** A Python value: `bigint` for int, `number` for float, `boolean` for bool. */
export type Num = bigint | number | boolean;

export type UnaryOp = "neg" | "pos" | "inv";
export type BinaryOp =
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
export type CompareOp = "<" | ">" | "<=" | ">=" | "==" | "!=";

/**
 * One comparison of a chain. `end` is where the chain's code ends, for a comparison that is not
 * the chain's last: a false result jumps there (Python evaluates no further operand), a true one
 * leaves the right operand as the next comparison's left.
 */
export interface Compare {
  op: CompareOp;
  end?: number;
}

/** Postfix code: operands are pushed, operators pop theirs and push the result. */
export type Program = (Num | UnaryOp | BinaryOp | Compare)[];

/** Limits plus the bigint thresholds derived from them, built once per set of limits. */
export interface Context extends ExprLimits {
  /** `2n ** maxIntBits`: integers must stay strictly below it in magnitude. */
  intBound: bigint;
  /** `-intBound`, kept because negating a bigint this size on every check is not free. */
  negIntBound: bigint;
  /** `10n ** maxIntDigits`: the smallest integer magnitude with too many digits to print. */
  digitBound: bigint;
  /** `-digitBound`. */
  negDigitBound: bigint;
}

/** Returns `x`, or throws if its magnitude reaches the integer bound (`maxIntBits`). */
export function checkInt(x: bigint, ctx: Context): bigint {
  if (x >= ctx.intBound || x <= ctx.negIntBound) {
    throw new ExprError(`integer exceeds the limit (${ctx.maxIntBits} bits)`);
  }
  return x;
}
