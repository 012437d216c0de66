/**
 * Argument parsing shared by every subcommand: a thin layer over `node:util` `parseArgs`
 * that turns its errors and every invalid value into a {@link UsageError} whose message names
 * the flag, quotes the value and says what is expected.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { parseDurationMs, parseSize } from "./units.ts";

/** A mistake in the command line; `main.ts` prints it and exits with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** One flag of a subcommand, as `parseArgs` takes it. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
}

/** The raw values of a parsed command line. */
export type FlagValues = Record<string, string | boolean | undefined>;

/**
 * Parses `args` against `flags`; every subcommand accepts `--help`/`-h`.
 * Unknown flags, missing values and stray positionals are usage errors.
 */
export function parseFlags(
  args: string[],
  flags: Record<string, FlagSpec>,
  allowPositionals = false,
): { values: FlagValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: spellValuesOut(args, flags),
      options: { help: { type: "boolean", short: "h" }, ...flags },
      allowPositionals,
      strict: true,
    });
    return { values: values as FlagValues, positionals };
  } catch (error) {
    throw new UsageError(
      rephraseParseError(error instanceof Error ? error.message : String(error)),
    );
  }
}

/**
 * Rewrites the spellings `parseArgs` misreads as `--flag=value`: `-n=-5` (it takes `=-5` as
 * the value) and a negative number after a flag that takes a value (`-w -3`, which it calls
 * ambiguous), so that the flag's own check says what the value must be.
 */
function spellValuesOut(args: string[], flags: Record<string, FlagSpec>): string[] {
  const names = new Map<string, string>();
  for (const [name, spec] of Object.entries(flags)) {
    if (spec.type !== "string") continue;
    names.set(`--${name}`, name);
    if (spec.short) names.set(`-${spec.short}`, name);
  }
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      out.push(...args.slice(i));
      break;
    }
    const shortEquals = /^(-\w)=(.*)$/s.exec(arg);
    const name = names.get(shortEquals ? shortEquals[1] : arg);
    if (name !== undefined && shortEquals) out.push(`--${name}=${shortEquals[2]}`);
    else if (name !== undefined && /^-\.?\d/.test(args[i + 1] ?? "")) {
      out.push(`--${name}=${args[++i]}`);
    } else out.push(arg);
  }
  return out;
}

function rephraseParseError(message: string): string {
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `Unknown option "${unknown[1]}": see --help for the options`;
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
  if (missing) return `Missing value for ${missing[1]}: expected ${missing[1]} <value>`;
  const ambiguous = /Option '(?:-\w, )?(--[\w-]+)' argument is ambiguous/.exec(message);
  if (ambiguous) {
    return `Ambiguous value for ${ambiguous[1]}: a value starting with "-" must be written ${
      ambiguous[1]
    }=VALUE`;
  }
  const positional = /Unexpected argument '([^']+)'/.exec(message);
  if (positional) return `Unexpected argument "${positional[1]}": this command takes only options`;
  return message.split("\n")[0];
}

function invalid(flag: string, value: string, expected: string): UsageError {
  return new UsageError(`Invalid --${flag} "${value}": expected ${expected}`);
}

function raw(values: FlagValues, flag: string): string | undefined {
  const value = values[flag];
  return typeof value === "string" ? value : undefined;
}

/** An integer flag within [min, max]. */
export function intFlag(
  values: FlagValues,
  flag: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const text = raw(values, flag);
  if (text === undefined) return fallback;
  const value = /^\s*-?\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = min === 1
      ? `a positive integer${max === Number.MAX_SAFE_INTEGER ? "" : ` up to ${max}`}`
      : max === Number.MAX_SAFE_INTEGER
      ? `an integer of at least ${min}`
      : `an integer from ${min} to ${max}`;
    throw invalid(flag, text, range);
  }
  return value;
}

/** A finite number flag greater than `exclusiveMin`. */
export function numberFlag(
  values: FlagValues,
  flag: string,
  fallback: number | undefined,
  exclusiveMin: number,
): number | undefined {
  const text = raw(values, flag);
  if (text === undefined) return fallback;
  const value = text.trim() === "" ? NaN : Number(text);
  if (!Number.isFinite(value) || value <= exclusiveMin) {
    throw invalid(flag, text, `a number greater than ${exclusiveMin}`);
  }
  return value;
}

/** A flag that takes one of `choices`; `aliases` maps other spellings onto a choice. */
export function choiceFlag<T extends string>(
  values: FlagValues,
  flag: string,
  fallback: T,
  choices: readonly T[],
  aliases: Record<string, T> = {},
): T {
  const text = raw(values, flag);
  if (text === undefined) return fallback;
  const value = (choices as readonly string[]).includes(text) ? text as T : aliases[text];
  if (value === undefined) {
    const all = [...choices, ...Object.keys(aliases)];
    throw invalid(flag, text, `one of ${all.join(", ")}`);
  }
  return value;
}

/** A comma-separated list of choices, e.g. `--modes async,thr`. */
export function choiceListFlag<T extends string>(
  values: FlagValues,
  flag: string,
  fallback: T[],
  choices: readonly T[],
): T[] {
  const text = raw(values, flag);
  if (text === undefined) return fallback;
  const items = text.split(",").map((item) => item.trim());
  for (const item of items) {
    if (!(choices as readonly string[]).includes(item)) {
      throw invalid(flag, text, `a comma-separated list of ${choices.join(", ")}`);
    }
  }
  return [...new Set(items)] as T[];
}

/** A comma-separated list of positive integers, e.g. `--clients 10,20,50`. */
export function intListFlag(
  values: FlagValues,
  flag: string,
  fallback: number[],
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number[] {
  const text = raw(values, flag);
  if (text === undefined) return fallback;
  const items = text.split(",").map((item) => Number(item.trim()));
  if (
    items.length === 0 ||
    items.some((n) => !Number.isSafeInteger(n) || n < min || n > max)
  ) {
    throw invalid(flag, text, `a comma-separated list of integers from ${min} to ${max}`);
  }
  return items;
}

/** A duration flag (`3s`, `250ms`, a bare number is seconds), in milliseconds. */
export function durationFlag(
  values: FlagValues,
  flag: string,
  fallback: number | undefined,
): number | undefined {
  const text = raw(values, flag);
  if (text === undefined) return fallback;
  const ms = parseDurationMs(text);
  if (ms === undefined) throw invalid(flag, text, "a duration such as 3s, 250ms or 1.5");
  return ms;
}

/** A byte-size flag (`64`, `64KiB`, `1MB`) within [min, max]. */
export function sizeFlag(
  values: FlagValues,
  flag: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = raw(values, flag);
  if (text === undefined) return fallback;
  const bytes = parseSize(text);
  if (bytes === undefined || bytes < min || bytes > max) {
    throw invalid(flag, text, `a size from ${min} to ${max} bytes, such as 64 or 64KiB`);
  }
  return bytes;
}

/** A host name or address; only emptiness and spaces are rejected here, the resolver says the rest. */
export function hostFlag(values: FlagValues, flag: string, fallback: string | undefined): string {
  const text = raw(values, flag);
  if (text === undefined) {
    if (fallback === undefined) throw new UsageError(`Missing --${flag}: it is required`);
    return fallback;
  }
  if (text.trim() === "" || /\s/.test(text)) throw invalid(flag, text, "a host name or IP address");
  return text.replace(/^\[(.*)\]$/, "$1");
}

/** `HOST:PORT`, as `--server` takes it in bench (`[::1]:8000` for IPv6). */
export function hostPortFlag(
  values: FlagValues,
  flag: string,
): { host: string; port: number } | undefined {
  const text = raw(values, flag);
  if (text === undefined) return undefined;
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw invalid(flag, text, "HOST:PORT, such as 127.0.0.1:65432 or [::1]:65432");
  }
  return { host: match[1] ?? match[2], port };
}
