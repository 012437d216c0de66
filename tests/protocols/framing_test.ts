/**
 * Tests of {@link Framer}: reassembly of messages split anywhere (property-based), the three
 * framing modes, the line limit, and a real server counting unterminated writes under `auto`.
 *
 * @module
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { Framer } from "../../lib/protocols/framing.ts";
import type { ServerEvent } from "../../lib/server/server_spec.ts";
import type { ConnectionRecord } from "../../lib/server/session.ts";
import { MODES } from "../../modes/mod.ts";

const encoder = new TextEncoder();

function feed(framer: Framer, chunks: Uint8Array[]): string[] {
  const out = chunks.flatMap((chunk) => framer.push(chunk));
  const last = framer.finish();
  return last === undefined ? out : [...out, last];
}

Deno.test("Framer reassembles any messages split at any byte positions", () => {
  const message = fc.string({ unit: "binary", maxLength: 40 }).filter((s) =>
    !s.includes("\n") && !s.endsWith("\r")
  );
  fc.assert(
    fc.property(
      fc.array(message, { minLength: 1, maxLength: 30 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      (messages, cuts) => {
        const bytes = encoder.encode(messages.map((m) => m + "\n").join(""));
        const positions = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) =>
          a - b
        );
        const chunks: Uint8Array[] = [];
        let start = 0;
        for (const p of [...positions, bytes.length]) {
          chunks.push(bytes.slice(start, p));
          start = p;
        }
        assert.deepEqual(feed(new Framer("line", 1 << 20), chunks), messages);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("Framer strips an optional \\r and keeps a last line without newline", () => {
  const framer = new Framer("line", 100);
  assert.deepEqual(feed(framer, [encoder.encode("a\r\nb\nc")]), ["a", "b", "c"]);
});

Deno.test("Framer in chunk mode takes each read as one message", () => {
  const framer = new Framer("chunk", 100);
  assert.deepEqual(feed(framer, [encoder.encode("1|hi"), encoder.encode("3|abc\n")]), [
    "1|hi",
    "3|abc",
  ]);
});

Deno.test("Framer in auto mode decides from the first read", () => {
  const lines = new Framer("auto", 100);
  assert.deepEqual(lines.push(encoder.encode("a\nb")), ["a"]);
  assert.equal(lines.mode, "line");
  const chunks = new Framer("auto", 100);
  assert.deepEqual(chunks.push(encoder.encode("a")), ["a"]);
  assert.equal(chunks.mode, "chunk");
});

Deno.test("Framer flags a message longer than the limit and yields nothing after it", () => {
  const framer = new Framer("line", 8);
  assert.deepEqual(framer.push(encoder.encode("short\n0123456789")), ["short"]);
  assert.equal(framer.overflowed, true);
  assert.deepEqual(framer.push(encoder.encode("\nmore\n")), []);
});

Deno.test({
  name: "async mode counts one message per unterminated write under auto framing",
  sanitizeOps: true,
  sanitizeResources: true,
  async fn() {
    const records: ConnectionRecord[] = [];
    let port = 0;
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => listening = resolve);
    const stop = new AbortController();
    const onEvent = (event: ServerEvent) => {
      if (event.type === "listening") {
        port = event.port;
        listening();
      } else if (event.type === "close") records.push(event.record);
    };
    const running = MODES.async.run({
      host: "127.0.0.1",
      port: 0,
      workers: 1,
      protocol: { name: "timestamp", delayMs: 0 },
      framing: "auto",
      maxLine: 1024,
      verbose: false,
      idleTimeoutMs: 0,
      drainMs: 1000,
      maxConnections: 1,
      maxConns: 0,
      overLimit: "wait",
      samples: false,
      onEvent,
    }, stop.signal);
    await ready;
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const greeting = new Uint8Array(100);
    await conn.read(greeting);
    for (let i = 1; i <= 4; i++) {
      await conn.write(encoder.encode(`Worker 1, Event ${i}, Timestamp ${Date.now()}`));
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    conn.close();
    await running;
    assert.equal(records.length, 1);
    assert.equal(records[0].messages, 4);
    assert.equal(records[0].gaps.count, 3);
  },
});
