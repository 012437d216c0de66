/**
 * Reads the server's greeting and replies on a client connection, whether they end with a
 * newline (socklab's servers) or not (the reference servers send each one with a single
 * `send` and wait). A message is a line when a newline comes; otherwise it is the bytes that
 * came once no more arrive for {@link SETTLE_MS}, or once the server closes.
 *
 * Why a settle time and not "one read, one message": a sender's single `send` arrives in one
 * read on loopback and on a LAN, but a message longer than a segment, or one a congestion
 * window holds back, arrives in parts spaced by up to about one round trip. 50 ms covers LAN
 * and most WAN round trips, and a person at the menu does not notice it. The timestamp client
 * takes its greeting as the read gives it (a settle time of 0), as a reference client's
 * `recv(1024)` does, since its first event is due one draw after the greeting. A part that comes
 * later still is taken as the next message, as the reference client's `recv(1024)` would take it.
 *
 * @module
 */

import type { Conn } from "../net/transport.ts";

/** How long a message without a newline may wait for more bytes before it counts as whole. */
export const SETTLE_MS = 50;

/** The longest message kept; a longer one fails the connection instead of growing the buffer. */
export const MAX_REPLY_BYTES = 1 << 20;

const NEWLINE = 0x0a;
const TIMED_OUT = Symbol("timed out");

/** Greeting and reply reading on one connection. */
export class ReplyReader {
  #conn: Conn;
  #buffer = new Uint8Array(0);
  #ended = false;
  #reading: Promise<Uint8Array | null> | undefined;
  // A reply that starts with a byte order mark keeps it (see the framer's decoder).
  #decoder = new TextDecoder("utf-8", { ignoreBOM: true });

  constructor(conn: Conn) {
    this.#conn = conn;
  }

  /**
   * The next message without its newline (and `\r`), or null once the server closed with
   * nothing left. Rejects with `Deno.errors.TimedOut` when no byte of it came within
   * `timeoutMs` (no bound when undefined), and with the connection's error on a reset. Bytes
   * without a newline are a message once none came for `settleMs`.
   */
  async next(timeoutMs?: number, settleMs = SETTLE_MS): Promise<string | null> {
    const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
    for (;;) {
      const newline = this.#buffer.indexOf(NEWLINE);
      if (newline >= 0) {
        const end = newline > 0 && this.#buffer[newline - 1] === 0x0d ? newline - 1 : newline;
        return this.#take(end, newline + 1);
      }
      if (this.#ended) {
        return this.#buffer.length > 0
          ? this.#take(this.#buffer.length, this.#buffer.length)
          : null;
      }
      const waitMs = this.#buffer.length > 0
        ? settleMs
        : deadline === undefined
        ? undefined
        : Math.max(0, deadline - performance.now());
      const chunk = await this.#read(waitMs);
      if (chunk === TIMED_OUT) {
        if (this.#buffer.length > 0) return this.#take(this.#buffer.length, this.#buffer.length);
        throw new Deno.errors.TimedOut(`No message within ${timeoutMs} ms`);
      }
      if (chunk === null) this.#ended = true;
      else this.#append(chunk);
    }
  }

  /** The next read, or {@link TIMED_OUT} after `waitMs`; a read outlasting the wait is kept for the next call. */
  async #read(waitMs: number | undefined): Promise<Uint8Array | null | typeof TIMED_OUT> {
    const reading = this.#reading ??= this.#conn.read();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const chunk = waitMs === undefined ? await reading : await Promise.race([
        reading,
        new Promise<typeof TIMED_OUT>((resolve) => timer = setTimeout(resolve, waitMs, TIMED_OUT)),
      ]);
      if (chunk !== TIMED_OUT) this.#reading = undefined;
      return chunk;
    } catch (error) {
      this.#reading = undefined;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  #append(chunk: Uint8Array): void {
    if (this.#buffer.length + chunk.length > MAX_REPLY_BYTES) {
      throw new Error(`The server sent over ${MAX_REPLY_BYTES} bytes without a newline`);
    }
    // A copy: the transport's view is valid only until the next read.
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.length);
    this.#buffer = joined;
  }

  #take(end: number, consumed: number): string {
    const text = this.#decoder.decode(this.#buffer.subarray(0, end));
    this.#buffer = this.#buffer.slice(consumed);
    return text;
  }
}
