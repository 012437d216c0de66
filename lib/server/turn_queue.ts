/**
 * Turns for connections that used up their work budget: each waits in line and is let go one
 * per timer turn, so between two slices of work the event loop polls its sockets. Each waiter
 * on a timer of its own would not do: Deno runs every due timer before it polls again, so 50
 * busy connections with 4 ms slices held a waiting client for 200 ms a round.
 *
 * @module
 */

/** A line of waiters let go one per timer turn. */
export class TurnQueue {
  #waiting: (() => void)[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Whether someone is waiting: work that arrives now should be short before it waits too. */
  get busy(): boolean {
    return this.#head < this.#waiting.length;
  }

  /** Resolves at the caller's turn, after everyone already waiting. */
  next(): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#waiting.push(resolve);
    this.#timer ??= setTimeout(() => this.#letOneGo());
    return promise;
  }

  #letOneGo(): void {
    this.#timer = undefined;
    const resolve = this.#waiting[this.#head++];
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    } else {
      this.#timer = setTimeout(() => this.#letOneGo());
    }
    resolve();
  }
}
