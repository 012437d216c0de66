/**
 * Progress for long runs: a live line with the ETA on a terminal, plain lines otherwise. The
 * ETA weighs steps by their estimated duration, so a slow `iter` cell counts for what it costs.
 *
 * @module
 */

import { formatDuration } from "./units.ts";

/** Reports progress through steps whose estimated durations are known up front. */
export class Progress {
  #total: number;
  #done = 0;
  #started: number;
  #live: boolean;
  #write: (text: string) => void;
  #now: () => number;

  constructor(
    estimatedTotalMs: number,
    options: { live: boolean; write: (text: string) => void; now?: () => number },
  ) {
    this.#total = Math.max(1, estimatedTotalMs);
    this.#live = options.live;
    this.#write = options.write;
    this.#now = options.now ?? (() => performance.now());
    this.#started = this.#now();
  }

  /** Marks a step of `estimatedMs` as done, described by `label`. */
  step(estimatedMs: number, label: string): void {
    this.#done += estimatedMs;
    const elapsed = this.#now() - this.#started;
    const fraction = Math.min(1, this.#done / this.#total);
    const eta = fraction > 0 ? elapsed / fraction - elapsed : NaN;
    const line = `[${(fraction * 100).toFixed(0).padStart(3)}%] ${label}; elapsed ${
      formatDuration(elapsed)
    }, ETA ${Number.isNaN(eta) ? "?" : formatDuration(eta)}`;
    this.#write(this.#live ? `\r\x1b[2K${line}` : `${line}\n`);
  }

  /** Ends the live line. */
  finish(): void {
    if (this.#live) this.#write("\n");
  }
}
