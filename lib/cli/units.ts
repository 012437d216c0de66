/**
 * Parsing and formatting of the units socklab's flags and reports use:
 * durations (`3s`, `250ms`, `1.5m`), byte sizes (`64`, `64KiB`, `1MB`) and milliseconds.
 *
 * @module
 */

const DURATION_UNITS: Record<string, number> = {
  "": 1000,
  us: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};

/** Parses a duration such as `3s`, `250ms`, `1.5m` or a bare number of seconds into milliseconds; undefined when malformed. */
export function parseDurationMs(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(us|ms|s|m|h)?\s*$/i.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * DURATION_UNITS[(match[2] ?? "").toLowerCase()];
}

/** Parses a byte size such as `64`, `64KiB`, `1MB` into bytes; undefined when malformed or fractional. */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = SIZE_UNITS[match[2].toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Number(match[1]) * unit;
  return Number.isInteger(bytes) ? bytes : undefined;
}

/** Formats milliseconds with a precision that suits the magnitude, as reports print them. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (Math.abs(ms) >= 100) return ms.toFixed(1);
  if (Math.abs(ms) >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

/** A count with its noun: `1 worker`, `2 workers` (`many` for irregular plurals). */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Formats a duration for progress lines and estimates: `850ms`, `12.3s`, `4m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, "0")}m`;
  return `${minutes}m${String(seconds).padStart(2, "0")}s`;
}
