/**
 * Correct replies counted per epoch millisecond, so that the parent can rate the requests of
 * the request phase alone across workers, as `ldgen` does (see `requestPhaseRate`).
 *
 * @module
 */

/** Counts completions per millisecond from the one the tally was made in. */
export class CompletionTally {
  /** The epoch millisecond (an integer) that index 0 counts. */
  readonly from: number;
  /** When the last completion came, on the `performance.now()` clock; -Infinity before. */
  lastAt = -Infinity;
  #offset: number;
  #counts = new Uint32Array(4096);

  /** Starts at `startedAt` on the `performance.now()` clock. */
  constructor(startedAt: number) {
    this.from = Math.floor(performance.timeOrigin + startedAt);
    this.#offset = performance.timeOrigin - this.from;
  }

  /** One completion at `now` (`performance.now()`). */
  add(now: number): void {
    this.lastAt = now;
    const tick = (now + this.#offset) | 0;
    if (tick >= this.#counts.length) {
      const grown = new Uint32Array(Math.max(this.#counts.length * 2, tick + 1));
      grown.set(this.#counts);
      this.#counts = grown;
    }
    this.#counts[tick]++;
  }

  /** The counts up to and including the millisecond of `end` (`performance.now()`). */
  until(end: number): Uint32Array {
    return this.#counts.slice(0, ((end + this.#offset) | 0) + 1);
  }
}
