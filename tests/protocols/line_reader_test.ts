/**
 * Tests of the client-side line reader.
 *
 * @module
 */

import assert from "node:assert/strict";
import { LineReader } from "../../lib/protocols/line_reader.ts";

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
