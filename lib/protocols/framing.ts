/**
 * Message framing over a TCP byte stream. A message may arrive split over several reads, or
 * several messages in one read; {@link Framer} reassembles them.
 *
 * - `line`: messages end with `\n` (an optional `\r` before it is stripped).
 * - `chunk`: each read is one message, for the reference clients that send without a newline
 *   and wait for the answer.
 * - `auto`: decided per connection from the first read: a newline in it means `line`.
 *
 * @module
 */

/** How a connection's byte stream is cut into messages. */
export type Framing = "auto" | "line" | "chunk";

/** The framing choices, for flag validation. */
export const FRAMINGS: readonly Framing[] = ["auto", "line", "chunk"];

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Cuts one connection's bytes into messages. Once a message exceeds `maxLine` bytes the
 * framer is {@link Framer.overflowed} and yields nothing more: the caller closes the connection.
 */
export class Framer {
  #mode: Framing;
  #maxLine: number;
  #decoder = new TextDecoder();
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

  /** The framing in force: `auto` until the first read decides it. */
  get mode(): Framing {
    return this.#mode;
  }

  /**
   * Takes the bytes of one read (the framer copies what it keeps, so the caller may reuse the
   * buffer) and returns the complete messages in it.
   */
  push(chunk: Uint8Array): string[] {
    if (this.#overflowed || chunk.length === 0) return [];
    if (this.#mode === "auto") this.#mode = chunk.includes(NEWLINE) ? "line" : "chunk";
    if (this.#mode === "chunk") return this.#pushChunk(chunk);
    const messages: string[] = [];
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, end);
      const line = this.#pendingLength > 0 ? this.#takePending(piece) : piece;
      if (line.length > this.#maxLine) return this.#overflow(messages);
      messages.push(this.#decode(line));
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
    const end = bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    return this.#decoder.decode(bytes.subarray(0, end));
  }
}
