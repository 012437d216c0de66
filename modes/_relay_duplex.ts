/**
 * A {@link Duplex} whose bytes travel as messages, for a member serving a connection that its
 * parent relays: a Web Worker (`thr`, by `postMessage`) or a child process (`proc`, as records
 * on its stdin). Each read keeps its boundaries and the time the parent read it from the
 * socket, so framing and inter-arrival statistics see what the client sent, not how the relay
 * batched it. Both directions are flow-controlled: at most {@link RELAY_WINDOW_BYTES} are
 * relayed ahead of what the session has read, and each write waits until the bytes are on
 * their way (on the socket for a worker, in the pipe for a child), so a peer that never reads
 * makes neither side buffer more than a window.
 *
 * @module
 */

import type { Duplex } from "../lib/server/session.ts";
import { encodeUtf8 } from "../lib/protocols/utf8.ts";
import { RELAY_HEADER_BYTES, relayHeader } from "./_member_messages.ts";

/** Bytes the parent may relay ahead of what the worker's session has read. */
export const RELAY_WINDOW_BYTES = 64 * 1024;

/**
 * Counts the bytes relayed ahead of what the session has read, so the relaying side can wait
 * while more than {@link RELAY_WINDOW_BYTES} are.
 */
export class RelayWindow {
  #held = 0;
  #opened: (() => void) | undefined;

  /** Counts bytes relayed. */
  hold(bytes: number): void {
    this.#held += bytes;
  }

  /** Counts bytes the session has read. */
  release(bytes: number): void {
    this.#held -= bytes;
    const opened = this.#opened;
    this.#opened = undefined;
    opened?.();
  }

  /** Resolves once what is held fits the window. */
  async room(): Promise<void> {
    while (this.#held > RELAY_WINDOW_BYTES) {
      await new Promise<void>((resolve) => this.#opened = resolve);
    }
  }
}

/** A duplex fed by pushed chunks; what it writes goes to `send` and waits for {@link written}. */
export class PushDuplex implements Duplex {
  #chunks: { bytes: Uint8Array; at: number }[] = [];
  #lastAt = 0;
  #eof = false;
  /** Set when the peer reset the connection: reads fail once the bytes before it are read. */
  #reset = false;
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

  /**
   * Marks the peer's reset: as on a socket, the session reads the bytes that came before it
   * and then fails, so an unterminated last message is dropped rather than counted.
   */
  reset(): void {
    this.#reset = true;
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
    while (this.#chunks.length === 0 && !this.#eof && !this.#reset && !this.#closed) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    if (this.#closed) throw new Deno.errors.BadResource("The relayed connection is closed");
    const chunk = this.#chunks.shift();
    if (chunk === undefined && this.#reset) {
      throw new Deno.errors.ConnectionReset("The relayed connection was reset by its peer");
    }
    if (chunk === undefined) return null;
    this.#lastAt = chunk.at;
    this.#consumed(chunk.bytes.length);
    return chunk.bytes;
  }

  arrivedAt(): number {
    return this.#lastAt;
  }

  write(data: Uint8Array | string): Promise<void> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("closed"));
    return new Promise((resolve, reject) => {
      this.#writing = { resolve, reject };
      this.#send(typeof data === "string" ? encodeUtf8(data) : data.slice());
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

/**
 * Decodes relay records (`relayRecord`, `_member_messages.ts`) from `stream` into `duplex`, reading no further while `window`
 * is full (the parent's writes then wait on the pipe). A stream that ends without the end
 * record means the parent is gone: the duplex is closed at once.
 */
export async function pushRecords(
  stream: ReadableStream<Uint8Array>,
  duplex: PushDuplex,
  window: RelayWindow,
): Promise<void> {
  let held: Uint8Array = new Uint8Array(0);
  try {
    for await (const chunk of stream) {
      held = held.length === 0 ? chunk : concat(held, chunk);
      let offset = 0;
      while (held.length - offset >= RELAY_HEADER_BYTES) {
        const header = relayHeader(
          new DataView(held.buffer, held.byteOffset + offset, RELAY_HEADER_BYTES),
        );
        const end = offset + RELAY_HEADER_BYTES + header.length;
        if (held.length < end) break;
        if (header.kind === "end") return duplex.end();
        if (header.kind === "reset") return duplex.reset();
        window.hold(header.length);
        duplex.push(held.subarray(offset + RELAY_HEADER_BYTES, end), header.at);
        offset = end;
      }
      held = held.subarray(offset);
      await window.room();
    }
  } catch { /* closed by this side */ }
  duplex.close();
}

/** `a` then `b`, in a new array. */
export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
