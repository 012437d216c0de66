/**
 * Message framing over a TCP byte stream. A message may arrive split over several reads, or
 * several messages in one read; {@link Framer} reassembles them.
 *
 * - `line`: messages end with `\n` (an optional `\r` before it is stripped).
 * - `chunk`: each read is one message.
 * - `auto` serves both kinds of peer, deciding at once, without waiting to see what follows.
 *   A newline always ends a message, and the bytes after the last newline are a partial message
 *   that waits for its newline, with one exception: while a peer has never sent a newline, each
 *   read of more than one byte and at most {@link READ_MESSAGE_MAX_BYTES} that starts a message
 *   is a message, as the reference servers' `recv(1024)` takes it. A first read of a lone byte
 *   (a typist, or a trickle) or of more than that bound (the start of a long line) starts a
 *   partial message that only its newline ends. Once a peer has sent a newline, only newlines
 *   end its messages.
 *
 * In every framing, what is held never exceeds the line limit: a longer message sets
 * {@link Framer.overflowed}. The framer keeps no clock: a message arrived with the read that
 * completed it.
 *
 * @module
 */

/** How a connection's byte stream is cut into messages. */
export type Framing = "auto" | "line" | "chunk";

/** The framing choices, for flag validation. */
export const FRAMINGS: readonly Framing[] = ["auto", "line", "chunk"];

/**
 * The largest unterminated read that `auto` takes as a message from a peer that has never sent
 * a newline. The reference clients send a short menu input or sentence per write, which their
 * servers read with `recv(1024)`; a larger unterminated read is the start of a long line
 * written at once, which only its newline ends.
 */
export const READ_MESSAGE_MAX_BYTES = 1024;

const NEWLINE = 0x0a;
// The typed array's own search: a `node:net` chunk is a Buffer, whose `indexOf` is a much
// slower polyfill in Deno.
const indexOf = Uint8Array.prototype.indexOf;
// Shared: decoding whole messages keeps no state between calls, and a decoder per connection
// would be made and dropped for every connection a churning client opens. `ignoreBOM` keeps a
// byte order mark that starts a message: each call is a stream of its own to the decoder, which
// would otherwise drop one from every message.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const CR = 0x0d;

/**
 * Cuts one connection's bytes into messages. Once a message exceeds `maxLine` bytes the
 * framer is {@link Framer.overflowed} and yields nothing more: the caller closes the connection.
 */
export class Framer {
  #mode: Framing;
  #maxLine: number;
  #pending: Uint8Array[] = [];
  #pendingLength = 0;
  #overflowed = false;

  constructor(framing: Framing, maxLine: number) {
    this.#mode = framing;
    this.#maxLine = maxLine;
  }

  /** True once a message longer than the limit was seen. */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /** Bytes held for an unfinished message. */
  get buffered(): number {
    return this.#pendingLength;
  }

  /** The framing in force: `auto` turns into `line` at the peer's first newline. */
  get mode(): Framing {
    return this.#mode;
  }

  /**
   * Takes the bytes of one read and returns the complete messages in it. The framer copies
   * what it keeps, so the caller may reuse the buffer.
   */
  push(chunk: Uint8Array): string[] {
    if (this.#overflowed || chunk.length === 0) return [];
    if (this.#mode === "chunk") return this.#pushChunk(chunk);
    if (this.#mode === "auto" && this.#pendingLength === 0 && isReadMessage(chunk)) {
      return this.#pushChunk(chunk);
    }
    const messages: string[] = [];
    let start = 0;
    for (
      let end = indexOf.call(chunk, NEWLINE);
      end >= 0;
      end = indexOf.call(chunk, NEWLINE, start)
    ) {
      this.#mode = "line";
      if (this.#pendingLength > 0) {
        const line = this.#takePending(chunk.subarray(start, end));
        if (line.length > this.#maxLine) return this.#overflow(messages);
        messages.push(this.#decode(line));
      } else {
        if (end - start > this.#maxLine) return this.#overflow(messages);
        // Decoded in place: a flood of short lines allocates nothing but their strings.
        messages.push(this.#decodeRange(chunk, start, end));
      }
      start = end + 1;
    }
    if (start < chunk.length) {
      this.#pending.push(chunk.slice(start));
      this.#pendingLength += chunk.length - start;
      if (this.#pendingLength > this.#maxLine) return this.#overflow(messages);
    }
    return messages;
  }

  /** At end of stream: the last message if it had no newline. */
  finish(): string | undefined {
    if (this.#overflowed || this.#pendingLength === 0) return undefined;
    return this.#decode(this.#takePending(new Uint8Array(0)));
  }

  #pushChunk(chunk: Uint8Array): string[] {
    let end = chunk.length;
    if (chunk[end - 1] === NEWLINE) end--;
    if (chunk.length > this.#maxLine) return this.#overflow([]);
    return [this.#decode(chunk.subarray(0, end))];
  }

  #overflow(messages: string[]): string[] {
    this.#overflowed = true;
    this.#pending = [];
    this.#pendingLength = 0;
    return messages;
  }

  #takePending(tail: Uint8Array): Uint8Array {
    const joined = new Uint8Array(this.#pendingLength + tail.length);
    let offset = 0;
    for (const part of this.#pending) {
      joined.set(part, offset);
      offset += part.length;
    }
    joined.set(tail, offset);
    this.#pending = [];
    this.#pendingLength = 0;
    return joined;
  }

  #decode(bytes: Uint8Array): string {
    return this.#decodeRange(bytes, 0, bytes.length);
  }

  /** `bytes[start, end)` as text, a `\r` before the end dropped. */
  #decodeRange(bytes: Uint8Array, start: number, end: number): string {
    if (end > start && bytes[end - 1] === CR) end--;
    return end === start ? "" : decoder.decode(bytes.subarray(start, end));
  }
}

/**
 * Whether `auto` takes a read that starts a message, from a peer that has never sent a newline,
 * as a message of its own: more than a lone byte, at most {@link READ_MESSAGE_MAX_BYTES}, and
 * no newline (a newline makes the peer line-framed).
 */
function isReadMessage(chunk: Uint8Array): boolean {
  return chunk.length > 1 && chunk.length <= READ_MESSAGE_MAX_BYTES &&
    indexOf.call(chunk, NEWLINE) < 0;
}
