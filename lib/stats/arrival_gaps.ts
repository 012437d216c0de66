/**
 * The gaps between arrival times that come nearly in order, in bounded memory: a server's
 * connection opens, which its workers or child processes report in batches, so that one
 * worker's open may reach the tally after a later one of another's. Times wait in a window of
 * {@link REORDER_WINDOW} to be put in order; the oldest half then turns into gaps in a
 * {@link SampleStats}. Keeping every open time instead, to sort them at the end, grew a
 * server by about 24 bytes for every connection a client made in a loop (48.5 MB over 2,000,000).
 *
 * @module
 */

import { SampleStats } from "./sample_stats.ts";
import type { SampleSummary } from "./stats.ts";

/**
 * How far out of order a time may arrive and still take its place: times that many arrivals
 * late, about a second of opens at the fastest churn seen here, against the 10 ms a pool
 * member holds its events.
 */
export const REORDER_WINDOW = 16_384;

/**
 * Gaps between consecutive arrival times (n times give n - 1 gaps). A time that comes more
 * than {@link REORDER_WINDOW} arrivals late, older than every time already turned into gaps,
 * counts as a gap of 0 after them: the count stays exact, the sum is off by its lateness.
 */
export class ArrivalGaps {
  #waiting = new Float64Array(2 * REORDER_WINDOW);
  #size = 0;
  #gaps = new SampleStats();
  /** The newest time turned into a gap so far; NaN before the first. */
  #last = NaN;

  /** Times given and not yet turned into gaps: never more than twice the window. */
  get waiting(): number {
    return this.#size;
  }

  /** Notes one arrival time. */
  add(at: number): void {
    if (this.#size === this.#waiting.length) {
      const waiting = this.#waiting.subarray(0, this.#size).sort();
      this.#last = addGaps(this.#gaps, this.#last, waiting.subarray(0, REORDER_WINDOW));
      waiting.copyWithin(0, REORDER_WINDOW);
      this.#size -= REORDER_WINDOW;
    }
    this.#waiting[this.#size++] = at;
  }

  /** The gaps so far, with the times still waiting put in order; changes nothing here. */
  summary(): SampleSummary {
    const gaps = new SampleStats().merge(this.#gaps);
    addGaps(gaps, this.#last, this.#waiting.slice(0, this.#size).sort());
    return gaps.summary();
  }
}

/** Adds the gaps of ascending `times` after `last`; returns the newest time. */
function addGaps(gaps: SampleStats, last: number, times: Float64Array): number {
  for (const at of times) {
    if (!Number.isNaN(last)) gaps.add(Math.max(0, at - last));
    last = Number.isNaN(last) ? at : Math.max(last, at);
  }
  return last;
}
