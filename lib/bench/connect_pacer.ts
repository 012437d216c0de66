/**
 * At most a given number of connects in flight, the others queued in order: so many
 * simultaneous handshakes do not overflow a server's listen backlog, whose dropped SYNs the
 * kernel retries a second later, which a benchmark would mistake for a slow server.
 *
 * @module
 */

/** Hands out connect slots, `limit` at a time, first come first served. */
export class ConnectPacer {
  #limit: number;
  #inFlight = 0;
  #waiters: (() => void)[] = [];
  #next = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Takes a slot: undefined when one was free, else a promise of the next freed one. */
  acquire(): Promise<void> | undefined {
    if (this.#inFlight < this.#limit) {
      this.#inFlight++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Gives a slot back; it passes straight to the next waiter, if any. */
  release(): void {
    if (this.#next < this.#waiters.length) this.#waiters[this.#next++]();
    else this.#inFlight--;
  }
}
