/**
 * Time limits on many connections at the cost of one timer. A server's peer lives under
 * `--first-byte-timeout` (no byte at all since it connected), `--idle-timeout` (no bytes for
 * that long) and `--request-timeout` (a started line not completed in time, however many
 * bytes trickle in); the load generator's requests under its
 * `--timeout` (a request sent and not answered in time). Each connection notes its activity
 * with plain field writes, and one interval per watch closes those past a limit. A timer per
 * connection, re-armed on every read or request, would cost more than the rest of a small
 * request.
 *
 * @module
 */

/** Why the watch closed a connection. */
export type DeadlineKind = "first-byte" | "idle" | "request";

/** One watched connection. */
export interface Watched {
  /** When it last received bytes (or began to be watched), by the watch's clock. */
  lastActive: number;
  /** Whether it has received any bytes. */
  heard: boolean;
  /**
   * When its unfinished request began, by the watch's clock (a server: the first bytes of a
   * line not yet complete; a load generator: the request's sending); NaN while none is pending.
   */
  requestStartedAt: number;
  /** Set once the watch closed it. */
  expired?: DeadlineKind;
}

/** The limits, in milliseconds; 0 (or none) disables one. */
export interface Deadlines {
  idleMs: number;
  requestMs: number;
  /** How long a connection may stay silent from the start. */
  firstByteMs?: number;
}

/**
 * Closes connections past their idle or request deadline, checked every eighth of the shorter
 * (at least every second, so that a long limit is still kept to the second).
 */
export class DeadlineWatch {
  #limits: Deadlines;
  #now: () => number;
  #entries = new Map<Watched, () => void>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(limits: Deadlines, now: () => number = () => performance.now()) {
    this.#limits = limits;
    this.#now = now;
  }

  /** Watches a connection; `close` is called if it expires. */
  watch(close: () => void): Watched {
    const entry: Watched = { lastActive: this.#now(), heard: false, requestStartedAt: NaN };
    this.#entries.set(entry, close);
    if (this.#timer === undefined) {
      const { idleMs, requestMs, firstByteMs = 0 } = this.#limits;
      const shortest = Math.min(...[idleMs, requestMs, firstByteMs].filter((ms) => ms > 0));
      this.#timer = setInterval(() => this.sweep(), Math.min(1000, Math.max(10, shortest / 8)));
      // The watch alone must not keep a finished server or load worker alive.
      Deno.unrefTimer(this.#timer);
    }
    return entry;
  }

  /** Notes bytes received; `linePending` says whether they leave a line unfinished. */
  touch(entry: Watched, linePending: boolean): void {
    const now = this.#now();
    entry.lastActive = now;
    entry.heard = true;
    if (!linePending) entry.requestStartedAt = NaN;
    else if (Number.isNaN(entry.requestStartedAt)) entry.requestStartedAt = now;
  }

  /** Stops watching a connection. */
  forget(entry: Watched): void {
    this.#entries.delete(entry);
    if (this.#entries.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Closes every connection past a deadline (the interval calls this). */
  sweep(): void {
    const now = this.#now();
    const { idleMs, requestMs, firstByteMs = 0 } = this.#limits;
    for (const [entry, close] of this.#entries) {
      if (firstByteMs > 0 && !entry.heard && now - entry.lastActive > firstByteMs) {
        entry.expired = "first-byte";
      } else if (requestMs > 0 && now - entry.requestStartedAt > requestMs) {
        entry.expired = "request";
      } else if (idleMs > 0 && now - entry.lastActive > idleMs) entry.expired = "idle";
      else continue;
      this.#entries.delete(entry);
      close();
    }
  }
}

/** The shared watches by first-byte limit, then idle limit, then request limit. */
const watches = new Map<number, Map<number, Map<number, DeadlineWatch>>>();

function entryOf<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, value = make());
  return value;
}

/**
 * The shared watch for a set of limits, so all connections with the same limits share one
 * timer; undefined when all are disabled. Every session asks, so the lookup builds nothing.
 */
export function deadlineWatchFor(
  idleMs: number,
  requestMs: number,
  firstByteMs = 0,
): DeadlineWatch | undefined {
  if (idleMs <= 0 && requestMs <= 0 && firstByteMs <= 0) return undefined;
  const byIdle = entryOf(watches, firstByteMs, () => new Map());
  const byRequest = entryOf(byIdle, idleMs, () => new Map());
  return entryOf(byRequest, requestMs, () => new DeadlineWatch({ idleMs, requestMs, firstByteMs }));
}
