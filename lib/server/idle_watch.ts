/**
 * Idle timeouts for many connections at the cost of one timer: each connection notes when it
 * was last active (a plain field write per read), and one interval per watch closes those
 * silent for longer than the timeout. A timer per connection, re-armed on every read, would
 * cost more than the rest of a small request's handling.
 *
 * @module
 */

/** One watched connection. */
export interface Watched {
  /** When it was last active, by the watch's clock. */
  lastActive: number;
  /** Set once the watch closed it for being idle. */
  timedOut: boolean;
}

/** Closes connections silent for longer than `timeoutMs`, checked every `timeoutMs / 8`. */
export class IdleWatch {
  #timeoutMs: number;
  #now: () => number;
  #entries = new Map<Watched, () => void>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(timeoutMs: number, now: () => number = () => performance.now()) {
    this.#timeoutMs = timeoutMs;
    this.#now = now;
  }

  /** Watches a connection; `close` is called if it goes idle. Call `touch` on activity. */
  watch(close: () => void): Watched {
    const entry: Watched = { lastActive: this.#now(), timedOut: false };
    this.#entries.set(entry, close);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.sweep(), Math.max(10, this.#timeoutMs / 8));
      // The watch alone must not keep a finished server alive.
      Deno.unrefTimer(this.#timer);
    }
    return entry;
  }

  /** Marks activity on a watched connection. */
  touch(entry: Watched): void {
    entry.lastActive = this.#now();
  }

  /** Stops watching a connection. */
  forget(entry: Watched): void {
    this.#entries.delete(entry);
    if (this.#entries.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Closes every connection idle for longer than the timeout (the interval calls this). */
  sweep(): void {
    const now = this.#now();
    for (const [entry, close] of this.#entries) {
      if (now - entry.lastActive > this.#timeoutMs) {
        entry.timedOut = true;
        this.#entries.delete(entry);
        close();
      }
    }
  }
}

const watches = new Map<number, IdleWatch>();

/** The shared watch for a timeout, so all connections with the same timeout share one timer. */
export function idleWatchFor(timeoutMs: number): IdleWatch {
  let watch = watches.get(timeoutMs);
  if (!watch) watches.set(timeoutMs, watch = new IdleWatch(timeoutMs));
  return watch;
}
