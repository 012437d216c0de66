/**
 * Reads newline-terminated lines from a byte stream, for clients waiting on a greeting or a
 * reply. Built on {@link Framer}, so clients and servers frame alike.
 *
 * @module
 */

import { Framer } from "./framing.ts";

/** Line-by-line reading from anything with `read(buffer)`. */
export class LineReader {
  #source: { read(buffer: Uint8Array): Promise<number | null> };
  #framer: Framer;
  #lines: string[] = [];
  #buffer: Uint8Array;
  #ended = false;

  constructor(source: { read(buffer: Uint8Array): Promise<number | null> }, maxLine = 1 << 20) {
    this.#source = source;
    this.#framer = new Framer("line", maxLine);
    this.#buffer = new Uint8Array(Math.min(maxLine, 16 * 1024));
  }

  /** The next line without its newline, or null at the end of the stream. */
  async readLine(): Promise<string | null> {
    while (this.#lines.length === 0) {
      if (this.#ended) return null;
      const n = await this.#source.read(this.#buffer);
      if (n === null) {
        this.#ended = true;
        const last = this.#framer.finish();
        if (last !== undefined) this.#lines.push(last);
      } else {
        this.#lines.push(...this.#framer.push(this.#buffer.subarray(0, n)));
        if (this.#framer.overflowed) throw new Error("Line longer than the limit");
      }
    }
    return this.#lines.shift()!;
  }
}
