/**
 * Tests of the line reader over byte readers and streams, and of `readLines`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { LineReader, readLines } from "../../lib/protocols/line_reader.ts";

function source(chunks: string[]) {
  const encoded = chunks.map((c) => new TextEncoder().encode(c));
  return {
    read(buffer: Uint8Array): Promise<number | null> {
      const chunk = encoded.shift();
      if (chunk === undefined) return Promise.resolve(null);
      buffer.set(chunk);
      return Promise.resolve(chunk.length);
    },
  };
}

Deno.test("LineReader.readLine() returns lines across reads, then the last, then null", async () => {
  const reader = new LineReader(source(["Hel", "lo\nwor", "ld\r\n", "tail"]));
  assert.equal(await reader.readLine(), "Hello");
  assert.equal(await reader.readLine(), "world");
  assert.equal(await reader.readLine(), "tail");
  assert.equal(await reader.readLine(), null);
});

Deno.test("LineReader.readLine() refuses a line over its limit", async () => {
  const reader = new LineReader(source(["x".repeat(50), "y".repeat(50)]), 64);
  await assert.rejects(() => reader.readLine(), /longer than the limit/);
});

/** A stream of `bytes` cut at `cuts`. */
function stream(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const bounds = [0, ...cuts, bytes.length];
  return ReadableStream.from(bounds.slice(1).map((end, i) => bytes.slice(bounds[i], end)));
}

Deno.test("readLines() calls back each line of a stream, split anywhere, the last one too", async () => {
  // "é" and "€" cut between their bytes; an empty line; a last line without newline.
  const bytes = new TextEncoder().encode('café\r\n\n{"a":1}\nprice 5 €\ntail');
  const lines: string[] = [];
  await readLines(stream(bytes, [4, 5, 13, 25, 26]), (line) => lines.push(line));
  assert.deepEqual(lines, ["café", "", '{"a":1}', "price 5 €", "tail"]);
});

Deno.test("LineReader.readLine() reads a stream as it reads a byte reader", async () => {
  const reader = new LineReader(stream(new TextEncoder().encode("a\nbc\nd"), [3]), 8);
  assert.deepEqual(
    [await reader.readLine(), await reader.readLine(), await reader.readLine()],
    ["a", "bc", "d"],
  );
  assert.equal(await reader.readLine(), null);
});
