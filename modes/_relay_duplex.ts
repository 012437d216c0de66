/**
 * A {@link Duplex} whose bytes travel as messages, for a Web Worker serving a connection that
 * its parent relays. Both directions are flow-controlled: the worker acknowledges what the
 * session has read (the parent keeps at most {@link RELAY_WINDOW_BYTES} unacknowledged), and
 * each write waits for the parent to say the bytes reached the socket, so a peer that never
 * reads makes neither side buffer more than a window.
 *
 * @module
 */

import type { Duplex } from "../lib/server/session.ts";

/** Bytes the parent may relay ahead of what the worker's session has read. */
export const RELAY_WINDOW_BYTES = 64 * 1024;

/** A duplex fed by pushed chunks; what it writes goes to `send` and waits for {@link written}. */
export class PushDuplex implements Duplex {
  #chunks: { bytes: Uint8Array; at: number }[] = [];
  #lastAt = 0;
  #eof = false;
  #closed = false;
  #wake: (() => void) | undefined;
  #writing: { resolve(): void; reject(error: Error): void } | undefined;
  #send: (bytes: Uint8Array) => void;
  #consumed: (bytes: number) => void;
  #onClose: () => void;

  /**
   * `send` carries written bytes to the parent, `consumed` acknowledges bytes read, and
   * `onClose` tells the parent this side closed.
   */
  constructor(
    send: (bytes: Uint8Array) => void,
    consumed: (bytes: number) => void,
    onClose: () => void,
  ) {
    this.#send = send;
    this.#consumed = consumed;
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

  /** The parent's answer to the pending write: on the socket, or failed (reset, closed). */
  written(ok: boolean): void {
    const writing = this.#writing;
    this.#writing = undefined;
    if (ok) writing?.resolve();
    else writing?.reject(new Deno.errors.ConnectionReset("The relayed connection failed"));
  }

  async read(): Promise<Uint8Array | null> {
    while (this.#chunks.length === 0 && !this.#eof && !this.#closed) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    if (this.#closed) throw new Deno.errors.BadResource("The relayed connection is closed");
    const chunk = this.#chunks.shift();
    if (chunk === undefined) return null;
    this.#lastAt = chunk.at;
    this.#consumed(chunk.bytes.length);
    return chunk.bytes;
  }

  arrivedAt(): number {
    return this.#lastAt;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("closed"));
    return new Promise((resolve, reject) => {
      this.#writing = { resolve, reject };
      this.#send(bytes.slice());
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.written(false);
    this.#wakeReader();
    this.#onClose();
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
