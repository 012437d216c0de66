/**
 * Makes a peer's bytes safe for a terminal or a log: control characters (C0, DEL and C1)
 * become `\xNN`, so a message carrying ESC or BEL cannot retitle, clear or recolour the
 * operator's terminal, nor forge a line of the log with a carriage return. Text without them
 * is returned as it is, at the cost of one regular-expression test.
 *
 * @module
 */

// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;

/** `text` with every control character written as `\xNN` (`\x1b` for ESC). */
export function escapeControl(text: string): string {
  CONTROL.lastIndex = 0;
  if (!CONTROL.test(text)) return text;
  return text.replace(
    CONTROL,
    (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}
