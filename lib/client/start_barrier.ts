/**
 * Common starts of Web Workers, shared by the parent and the workers through one
 * `SharedArrayBuffer`. The workers meet on it before they connect ({@link StartBarrier.arrive}),
 * so that one slow to start does not count its start-up in the others' times: the timestamp
 * client's workers then connect and start each on its own greeting.
 *
 * The load generator of `bench` also starts every connection's requests together: each
 * connection counts its connect and its first round trip in it; the parent waits until every
 * one has made its round trip (or failed), then writes one start time that every worker reads.
 * An iterative server answers one connection at a time, so waiting for every round trip would
 * wait for the whole run: once every connect has ended and no round trip has come for
 * {@link STALL_MS}, the parent starts those already through, and each latecomer starts when
 * its round trip comes.
 *
 * @module
 */

/** How long greetings may stop coming, after every connect ended, before the start. */
export const STALL_MS = 500;

const CONNECTED = 0;
const GREETED = 1;
const RELEASED = 2;
const ARRIVED = 3;
const INT_SLOTS = 4;
const BYTES = INT_SLOTS * 4 + 8;

/** One side's view of the shared barrier. */
export class StartBarrier {
  readonly buffer: SharedArrayBuffer;
  #counts: Int32Array;
  #startAt: Float64Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(BYTES)) {
    this.buffer = buffer;
    this.#counts = new Int32Array(buffer, 0, INT_SLOTS);
    this.#startAt = new Float64Array(buffer, INT_SLOTS * 4, 1);
  }

  /** A logical worker's connect ended, connected or not. */
  connected(count = 1): void {
    Atomics.add(this.#counts, CONNECTED, count);
  }

  /** A logical worker was greeted, or failed before it was. */
  greeted(count = 1): void {
    Atomics.add(this.#counts, GREETED, count);
    Atomics.notify(this.#counts, GREETED);
  }

  /**
   * Parent: resolves once `total` logical workers were greeted, or once every connect ended
   * and no greeting came for `stallMs`, or once `signal` aborts (the workers ended).
   */
  async gather(total: number, stallMs = STALL_MS, signal?: AbortSignal): Promise<void> {
    while (!signal?.aborted) {
      const greeted = Atomics.load(this.#counts, GREETED);
      if (greeted >= total) return;
      const wait = Atomics.waitAsync(this.#counts, GREETED, greeted, stallMs);
      const outcome = wait.async ? await wait.value : wait.value;
      if (outcome === "timed-out" && Atomics.load(this.#counts, CONNECTED) >= total) return;
    }
  }

  /** Parent: starts every worker at `epochMs`. */
  release(epochMs: number): void {
    this.#startAt[0] = epochMs;
    Atomics.store(this.#counts, RELEASED, 1);
    Atomics.notify(this.#counts, RELEASED);
  }

  /**
   * Worker: counts itself in and resolves once `total` workers have, so that they begin
   * together however long each took to start. A worker that fails before it arrives is
   * counted by the parent ({@link StartBarrier.absent}), or ends the others waiting here.
   */
  async arrive(total: number): Promise<void> {
    Atomics.add(this.#counts, ARRIVED, 1);
    Atomics.notify(this.#counts, ARRIVED);
    for (;;) {
      const arrived = Atomics.load(this.#counts, ARRIVED);
      if (arrived >= total) return;
      const wait = Atomics.waitAsync(this.#counts, ARRIVED, arrived);
      if (wait.async) await wait.value;
    }
  }

  /**
   * Parent: resolves once `total` workers have arrived or been counted absent, or once `signal`
   * aborts (the workers ended).
   */
  async met(total: number, signal?: AbortSignal): Promise<void> {
    while (!signal?.aborted) {
      const arrived = Atomics.load(this.#counts, ARRIVED);
      if (arrived >= total) return;
      // Wakes now and then to see the abort: nothing notifies this slot when the workers end.
      const wait = Atomics.waitAsync(this.#counts, ARRIVED, arrived, 100);
      if (wait.async) await wait.value;
    }
  }

  /** Parent: counts a worker that failed and may never arrive, so the others do not wait for it. */
  absent(): void {
    Atomics.add(this.#counts, ARRIVED, 1);
    Atomics.notify(this.#counts, ARRIVED);
  }

  /** Worker: the common start time (epoch ms), once the parent released it. */
  async startAt(): Promise<number> {
    const wait = Atomics.waitAsync(this.#counts, RELEASED, 0);
    if (wait.async) await wait.value;
    return this.#startAt[0];
  }
}
