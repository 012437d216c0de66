/**
 * Reads newline-terminated lines from a byte source: a client waiting on a greeting or a
 * reply, a parent reading its children's output. Built on {@link Framer}, so clients and
 * servers frame alike.
 *
 * @module
 */

import { Framer } from "./framing.ts";

/**
 * Where the bytes come from: anything with `read(buffer)` (a `Deno.Conn`, `Deno.stdin`), or a
 * stream (a child process's output).
 */
export type LineSource =
  | { read(buffer: Uint8Array): Promise<number | null> }
  | ReadableStream<Uint8Array>;

/** The next bytes of `source`, or null at its end. */
function chunksOf(source: LineSource, bufferSize: number): () => Promise<Uint8Array | null> {
  if (source instanceof ReadableStream) {
    const reader = source.getReader();
    return async () => {
      const { done, value } = await reader.read();
      return done ? null : value;
    };
  }
  // The framer copies what it keeps, so one buffer serves every read.
  const buffer = new Uint8Array(bufferSize);
  return async () => {
    const n = await source.read(buffer);
    return n === null ? null : buffer.subarray(0, n);
  };
}

/** Line-by-line reading; a `\r` before a newline is dropped. */
export class LineReader {
  #next: () => Promise<Uint8Array | null>;
  #framer: Framer;
  #lines: string[] = [];
  #taken = 0;
  #ended = false;

  /** Lines longer than `maxLine` bytes make {@link LineReader.readLine} fail. */
  constructor(source: LineSource, maxLine = 1 << 20) {
    this.#next = chunksOf(source, Math.min(maxLine, 16 * 1024));
    this.#framer = new Framer("line", maxLine);
  }

  /** The next line without its newline, or null at the end of the source. */
  async readLine(): Promise<string | null> {
    while (this.#taken === this.#lines.length) {
      if (this.#ended) return null;
      const chunk = await this.#next();
      this.#taken = 0;
      if (chunk === null) {
        this.#ended = true;
        const last = this.#framer.finish();
        this.#lines = last === undefined ? [] : [last];
      } else {
        this.#lines = this.#framer.push(chunk);
        if (this.#framer.overflowed) throw new Error("Line longer than the limit");
      }
    }
    return this.#lines[this.#taken++];
  }
}

/** Calls `onLine` for each line of `stream` (without its newline), the last one too. */
export async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  // A child's output is trusted and may carry large JSON lines: no limit.
  const lines = new LineReader(stream, Infinity);
  for (let line = await lines.readLine(); line !== null; line = await lines.readLine()) {
    onLine(line);
  }
}
