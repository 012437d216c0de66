/**
 * Tests of the client's greeting and reply reader on a scripted connection: lines, messages
 * without a newline, parts joined within the settle time (or none, for a settle time of 0), close,
 * timeout and the size bound.
 *
 * @module
 */

import assert from "node:assert/strict";
import { MAX_REPLY_BYTES, ReplyReader, SETTLE_MS } from "../../lib/client/reply_reader.ts";
import type { Conn } from "../../lib/net/transport.ts";

/** A read of the script: bytes (or the end, null) after a delay. */
type Step = { afterMs: number; data: string | Uint8Array | null };

/** A connection whose reads follow `steps`; past the script a read waits until close. */
function scripted(steps: Step[]): Conn {
  let closing: ((error: Error) => void) | undefined;
  return {
    peer: "127.0.0.1:1",
    read() {
      const step = steps.shift();
      if (step === undefined) return new Promise((_, reject) => closing = reject);
      return new Promise((resolve) =>
        setTimeout(() => {
          const { data } = step;
          resolve(typeof data === "string" ? new TextEncoder().encode(data) : data);
        }, step.afterMs)
      );
    },
    write: () => Promise.resolve(),
    closeWrite: () => Promise.resolve(),
    close: () => closing?.(new Deno.errors.BadResource("closed")),
  };
}

async function timed<T>(work: Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await work;
  return [value, performance.now() - started];
}

/**
 * What `work` settles with, or "timer" if a timer of `ms`, set just before `work` starts, fires
 * first. Timers fire in the order they are due however late a busy machine runs them, so this
 * says whether `work` waited on a timer of its own that long, not how fast the machine is.
 */
async function beforeTimer<T>(ms: number, work: () => Promise<T>): Promise<T | "timer"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fired = new Promise<"timer">((resolve) => timer = setTimeout(resolve, ms, "timer"));
  try {
    return await Promise.race([work(), fired]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("ReplyReader.next() returns a line at its newline without waiting", async () => {
  const conn = scripted([{ afterMs: 0, data: "Hello\r\nwor" }, { afterMs: 0, data: "ld\n" }]);
  const reader = new ReplyReader(conn);
  assert.equal(await beforeTimer(SETTLE_MS, () => reader.next(1000)), "Hello");
  assert.equal(await reader.next(1000), "world");
  conn.close();
});

Deno.test("ReplyReader.next() keeps a byte order mark that starts a reply", async () => {
  const conn = scripted([{ afterMs: 0, data: "\uFEFFone\n\uFEFFtwo\n" }]);
  const reader = new ReplyReader(conn);
  assert.equal(await reader.next(1000), "\uFEFFone");
  assert.equal(await reader.next(1000), "\uFEFFtwo");
  conn.close();
});

Deno.test("ReplyReader.next() ends a message without newline once no more bytes come", async () => {
  const conn = scripted([{ afterMs: 0, data: "Hello! You are connected to the server." }]);
  const reader = new ReplyReader(conn);
  const [greeting, ms] = await timed(reader.next(1000));
  assert.equal(greeting, "Hello! You are connected to the server.");
  // A lower bound, which a busy machine only makes easier (a timer may fire 1 ms early).
  assert.ok(ms >= SETTLE_MS - 1, `took only ${ms} ms`);
  conn.close();
});

Deno.test("ReplyReader.next() with a settle time of 0 takes a read without newline at once", async () => {
  const conn = scripted([
    { afterMs: 0, data: "Hello! You are connected to the server." },
    { afterMs: SETTLE_MS / 5, data: "Worker" },
  ]);
  const reader = new ReplyReader(conn);
  // Waiting out a settle time would join "Worker", due at a fifth of it, to the greeting: the
  // timers fire in order however late a busy machine runs them.
  assert.equal(await reader.next(1000, 0), "Hello! You are connected to the server.");
  assert.equal(await reader.next(1000, 0), "Worker");
  conn.close();
});

Deno.test("ReplyReader.next() joins parts that come within the settle time", async () => {
  // Each part's timer is set before the reader's settle timer and due sooner, and timers fire
  // in the order they are due: a busy machine runs both late, never the part after the settle.
  const conn = scripted([
    { afterMs: 0, data: "Hel" },
    { afterMs: SETTLE_MS / 5, data: "lo " },
    { afterMs: SETTLE_MS / 5, data: "world" },
  ]);
  const reader = new ReplyReader(conn);
  assert.equal(await reader.next(1000), "Hello world");
  conn.close();
});

Deno.test("ReplyReader.next() takes a part after the settle time as the next message", async () => {
  const conn = scripted([{ afterMs: 0, data: "ab" }, { afterMs: SETTLE_MS * 4, data: "cd" }]);
  const reader = new ReplyReader(conn);
  assert.equal(await reader.next(1000), "ab");
  assert.equal(await reader.next(1000), "cd");
  conn.close();
});

Deno.test("ReplyReader.next() ends a message at the server's close, then returns null", async () => {
  const reader = new ReplyReader(
    scripted([{ afterMs: 0, data: "cba" }, { afterMs: 0, data: null }]),
  );
  assert.equal(await beforeTimer(SETTLE_MS, () => reader.next(1000)), "cba");
  assert.equal(await reader.next(1000), null);
});

Deno.test("ReplyReader.next() rejects with TimedOut when nothing comes in time", async () => {
  const conn = scripted([]);
  const reader = new ReplyReader(conn);
  const [error, ms] = await timed(
    beforeTimer(200, () => reader.next(100).then(() => undefined, (e) => e)),
  );
  assert.ok(error instanceof Deno.errors.TimedOut, String(error));
  assert.ok(ms >= 99, `took only ${ms} ms`);
  conn.close();
});

Deno.test("ReplyReader.next() refuses a message over its bound", async () => {
  const chunk = new Uint8Array(64 * 1024).fill(0x78);
  const steps = Array.from({ length: MAX_REPLY_BYTES / chunk.length + 1 }, () => ({
    afterMs: 0,
    data: chunk,
  }));
  const conn = scripted(steps);
  await assert.rejects(new ReplyReader(conn).next(1000), /over 1048576 bytes without a newline/);
  conn.close();
});
