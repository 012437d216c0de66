/**
 * The clock every recorded time is on: Unix epoch milliseconds with sub-millisecond
 * precision, comparable across Web Workers and processes (each has its own
 * `performance.timeOrigin`).
 *
 * @module
 */

// Read once: the getter costs as much as the clock itself.
const TIME_ORIGIN = performance.timeOrigin;

/** Epoch milliseconds with sub-millisecond precision, comparable across workers and processes. */
export function epochNow(): number {
  return TIME_ORIGIN + performance.now();
}
