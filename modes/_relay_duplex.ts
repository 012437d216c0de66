/**
 * A {@link Duplex} fed by pushed chunks, for a member that serves a connection whose bytes the
 * parent relays: reads wait for pushed data, the end of the stream, or a close.
 *
 * @module
 */

import type { Duplex } from "../lib/server/session.ts";

/** A duplex whose incoming bytes are pushed and whose outgoing bytes go to `send`. */
export class PushDuplex implements Duplex {
  #chunks: { bytes: Uint8Array; at: number }[] = [];
  #lastAt = 0;
  #eof = false;
  #closed = false;
  #wake: (() => void) | undefined;
  #send: (bytes: Uint8Array) => void;
  #onClose: () => void;

  constructor(send: (bytes: Uint8Array) => void, onClose: () => void) {
    this.#send = send;
    this.#onClose = onClose;
  }

  /** Delivers bytes that arrived from the peer at `at` (epoch milliseconds). */
  push(bytes: Uint8Array, at: number): void {
    this.#chunks.push({ bytes, at });
    this.#wakeReader();
  }

  /** Marks the end of the peer's stream. */
  end(): void {
    this.#eof = true;
    this.#wakeReader();
  }

  async read(buffer: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0 && !this.#eof && !this.#closed) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    if (this.#closed) throw new Deno.errors.BadResource("The relayed connection is closed");
    const chunk = this.#chunks[0];
    if (chunk === undefined) return null;
    const n = Math.min(buffer.length, chunk.bytes.length);
    buffer.set(chunk.bytes.subarray(0, n));
    this.#lastAt = chunk.at;
    if (n === chunk.bytes.length) this.#chunks.shift();
    else chunk.bytes = chunk.bytes.subarray(n);
    return n;
  }

  arrivedAt(): number {
    return this.#lastAt;
  }

  write(bytes: Uint8Array): Promise<number> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("closed"));
    this.#send(bytes.slice());
    return Promise.resolve(bytes.length);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wakeReader();
    this.#onClose();
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
