/**
 * Replies as bytes, for the load generator: where a reply's text ends, whether it is the
 * expected one, and how to show what came instead in a failure report.
 *
 * @module
 */

/** How much of an unexpected reply a failure report quotes. */
const QUOTED_BYTES = 80;

/** The length of a reply's text: `got` bytes without a final newline (and `\r` before it). */
export function replyEnd(buffer: Uint8Array, got: number): number {
  if (got === 0 || buffer[got - 1] !== 0x0a) return got;
  return got > 1 && buffer[got - 2] === 0x0d ? got - 2 : got - 1;
}

/** Whether the first `length` bytes of `buffer` are exactly `expected`. */
export function sameBytes(buffer: Uint8Array, length: number, expected: Uint8Array): boolean {
  if (length !== expected.length) return false;
  for (let i = 0; i < length; i++) if (buffer[i] !== expected[i]) return false;
  return true;
}

/**
 * Whether the first `length` bytes (no newline among them) may still grow into `expected`,
 * with or without its line end: a prefix of it, or of it followed by `\r`. A reply that
 * cannot is wrong at once, whatever else comes.
 */
export function mayBecome(buffer: Uint8Array, length: number, expected: Uint8Array): boolean {
  if (length > expected.length + 1) return false;
  for (let i = 0; i < Math.min(length, expected.length); i++) {
    if (buffer[i] !== expected[i]) return false;
  }
  return length <= expected.length || buffer[length - 1] === 0x0d;
}

/** The first `length` bytes as a quoted string, shortened when long: `"abc…" (200 bytes)`. */
export function quoteBytes(buffer: Uint8Array, length: number): string {
  const shown = Math.min(length, QUOTED_BYTES);
  const text = JSON.stringify(new TextDecoder().decode(buffer.subarray(0, shown)));
  return length > shown ? `${text.slice(0, -1)}…" (${length} bytes)` : text;
}

/** What ended a connection that failed mid-request, in words. */
export function describeLoss(error: unknown): string {
  if (error instanceof Deno.errors.ConnectionReset) return "the connection was reset";
  if (error instanceof Deno.errors.BrokenPipe) {
    return "the server had closed the connection (broken pipe)";
  }
  if (error instanceof Deno.errors.ConnectionAborted) return "the connection was aborted";
  return error instanceof Error ? error.message : String(error);
}
