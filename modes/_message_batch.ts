/**
 * A pool member's messages to its parent, posted in batches. Under connection churn a member
 * reports an open and a close event for every connection; a Web Worker posting them one by one
 * made two structured clones and two message events per connection, and its parent spent a
 * fifth of a core receiving them (BENCHMARKS.md section 4). A batch goes out when it is
 * {@link BATCH_MS} old or {@link BATCH_SIZE} long, and at once with a message that must not
 * wait.
 *
 * @module
 */

/** The longest a message waits for others to join its batch. */
export const BATCH_MS = 10;

/** The most messages in one batch: bounds the member's memory however late its timers run. */
export const BATCH_SIZE = 256;

/** Collects messages and posts them, in order, as arrays. */
export class MessageBatch<T> {
  #post: (batch: T[]) => void;
  #urgent: (message: T) => boolean;
  #batch: T[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * `post` sends one batch; a message for which `urgent` is true is posted at once, with the
   * batch it ends.
   */
  constructor(post: (batch: T[]) => void, urgent: (message: T) => boolean) {
    this.#post = post;
    this.#urgent = urgent;
  }

  /** Queues a message. */
  push(message: T): void {
    this.#batch.push(message);
    if (this.#urgent(message) || this.#batch.length >= BATCH_SIZE) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  /** Posts what is queued now. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    this.#post(batch);
  }
}

/**
 * Calls `receive` for each message a member posted: a pool member posts batches, a member
 * serving one relayed connection single messages.
 */
export function eachMessage<T>(posted: T | T[], receive: (message: T) => void): void {
  if (Array.isArray(posted)) posted.forEach(receive);
  else receive(posted);
}
