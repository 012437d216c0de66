/**
 * `bench scale --start-at TIME`: load hosts that begin together. Every host's load workers
 * wait for the same wall-clock time, so the hosts agree as well as their clocks do (NTP keeps
 * them within a few milliseconds of each other). A time already past by more than a little is
 * an error rather than a silent late start that would skew the merged figures.
 *
 * @module
 */

/** How far in the past a start time may be and still be taken as "now". */
export const START_AT_TOLERANCE_MS = 1000;

/** `--start-at`: an ISO time (`2025-01-02T03:04:05Z`) or epoch milliseconds; undefined if neither. */
export function parseStartAt(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The sentence saying `startAt` is too far past at `now`, or undefined when it is not. */
export function startAtProblem(startAt: number, now: number): string | undefined {
  const late = now - startAt;
  if (late <= START_AT_TOLERANCE_MS) return undefined;
  return `Invalid --start-at "${new Date(startAt).toISOString()}": it was ${
    (late / 1000).toFixed(1)
  } s ago; give a time a few seconds ahead, the same for every load host`;
}
