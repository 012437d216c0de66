/**
 * Newline-delimited JSON over byte streams: how `proc` children and their parent talk.
 *
 * @module
 */

import { readLines } from "./line_reader.ts";

const encoder = new TextEncoder();

/**
 * Writes values as JSON lines, in order. Values written in the same turn of the event loop go
 * out in one write, which keeps a busy child's event stream cheap.
 */
export class JsonLineWriter {
  #writeAll: (bytes: Uint8Array) => Promise<void>;
  #batch = "";
  #flushing: Promise<void> = Promise.resolve();

  /** `writeAll` must write every byte it is given (or fail). */
  constructor(writeAll: (bytes: Uint8Array) => Promise<void>) {
    this.#writeAll = writeAll;
  }

  /** Queues one value. */
  write(value: unknown): void {
    const first = this.#batch === "";
    this.#batch += JSON.stringify(value) + "\n";
    if (first) {
      this.#flushing = this.#flushing.then(() => {
        const bytes = encoder.encode(this.#batch);
        this.#batch = "";
        return this.#writeAll(bytes).catch(() => {});
      });
    }
  }

  /** Resolves once everything written so far is out. */
  flushed(): Promise<void> {
    return this.#flushing;
  }
}

/** Calls `onValue` for each JSON line of `stream`, and `onText` for any other line. */
export function readJsonLines(
  stream: ReadableStream<Uint8Array>,
  onValue: (value: unknown) => void,
  onText: (line: string) => void,
): Promise<void> {
  return readLines(stream, (line) => {
    if (line === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return onText(line);
    }
    onValue(value);
  });
}
