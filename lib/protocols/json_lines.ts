/**
 * Lines and newline-delimited JSON over byte streams: how `proc` children and their parent
 * talk, and how parents read their children's output.
 *
 * @module
 */

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

/** Calls `onLine` for each line of `stream` (without its newline), the last one too. */
export async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let rest = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    const lines = (rest + text).split("\n");
    rest = lines.pop()!;
    lines.forEach(onLine);
  }
  if (rest !== "") onLine(rest);
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
