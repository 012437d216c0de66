/**
 * The evaluator's interpreter: {@linkcode run} executes a postfix {@linkcode Program} with
 * CPython 3.11's semantics for ints, floats and bools (exact comparisons across types, correctly
 * rounded true division, floor division and modulo towards negative infinity, `float_pow`'s
 * special cases), and meters large-integer work against `maxIntWork`. It is a file of its own
 * because arithmetic does not depend on syntax: it sees only code the parser has accepted.
 *
 * @module
 */

import {
  type BinaryOp,
  checkInt,
  type CompareOp,
  type Context,
  ExprError,
  type Num,
  type Program,
} from "./expr_types.ts";

/** The state of one evaluation: its limits and the large-integer work spent so far. */
interface Meter {
  ctx: Context;
  work: number;
}

/** Runs postfix code on a value stack. */
export function run(code: Program, ctx: Context): Num {
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
