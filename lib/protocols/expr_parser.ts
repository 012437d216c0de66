/**
 * The evaluator's parser: {@linkcode Parser} turns the tokens of expr_tokenize.ts into the
 * postfix {@linkcode Program} that expr_run.ts runs, or raises the syntax error CPython's PEG
 * parser would. It is a file of its own because it decides only what an input means and which
 * syntax error it gets; it computes no value.
 *
 * @module
 */

import {
  T_CLOSE,
  T_END,
  T_INDENT,
  T_NAME,
  T_NEWLINE,
  T_NUMBER,
  T_OP,
  T_OPEN,
  T_OTHER,
  type Token,
  tokenize,
  type Tokens,
} from "./expr_tokenize.ts";
import {
  type BinaryOp,
  type Compare,
  type CompareOp,
  type Context,
  ExprError,
  type Program,
  type UnaryOp,
} from "./expr_types.ts";

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
export class Parser {
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
