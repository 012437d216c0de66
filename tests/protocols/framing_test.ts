/**
 * Tests of {@link Framer}: reassembly of messages split anywhere (property-based), the three
 * framing modes, the `auto` rule (reference clients, trickled and long lines, the line limit,
 * and where those rules meet), and real servers framing what hostile and reference peers send.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fc } from "../support/fast_check.ts";
import { Framer, READ_MESSAGE_MAX_BYTES } from "../../lib/protocols/framing.ts";
import type { ServerEvent } from "../../lib/server/server_spec.ts";
import type { ConnectionRecord } from "../../lib/server/session.ts";
import { MODES } from "../../modes/mod.ts";
import { readToEnd, startServer, TASK_SERVE } from "../support.ts";
import { readByPeer } from "../support/tcp_sockets.ts";
import { waitFor } from "../support/wait_for.ts";

const encoder = new TextEncoder();

function feed(framer: Framer, chunks: Uint8Array[]): string[] {
  const out = chunks.flatMap((chunk) => framer.push(chunk));
  const last = framer.finish();
  return last === undefined ? out : [...out, last];
}

/** Feeds reads (text or bytes) to an `auto` framer, then ends the stream. */
function drive(reads: (string | Uint8Array)[], maxLine = 1 << 20): {
  messages: string[];
  framer: Framer;
} {
  const framer = new Framer("auto", maxLine);
  const chunks = reads.map((read) => typeof read === "string" ? encoder.encode(read) : read);
  return { messages: feed(framer, chunks), framer };
}

/** `bytes` cut at `cuts` (any numbers; taken modulo the length) into reads. */
function cut(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const positions = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const p of [...positions, bytes.length]) {
    if (p > start) chunks.push(bytes.slice(start, p));
    start = p;
  }
  return chunks;
}

/** A message without newline and not ending in `\r` (which framing strips). */
const lineText = fc.string({ unit: "binary", maxLength: 40 }).filter((s) =>
  !s.includes("\n") && !s.endsWith("\r")
);

Deno.test("Framer reassembles any messages split at any byte positions", () => {
  fc.assert(
    fc.property(
      fc.array(lineText, { minLength: 1, maxLength: 30 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      (messages, cuts) => {
        const bytes = encoder.encode(messages.map((m) => m + "\n").join(""));
        assert.deepEqual(feed(new Framer("line", 1 << 20), cut(bytes, cuts)), messages);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("Framer keeps a byte order mark that starts a message, in every framing", () => {
  for (const framing of ["line", "auto", "chunk"] as const) {
    const framer = new Framer(framing, 1024);
    const messages = framer.push(encoder.encode("\uFEFFfirst\n"));
    assert.deepEqual(messages, ["\uFEFFfirst"], framing);
  }
  // Split so that the mark begins a partial message joined later.
  const framer = new Framer("line", 1024);
  assert.deepEqual(framer.push(encoder.encode("a\n\uFEFF")), ["a"]);
  assert.deepEqual(framer.push(encoder.encode("b\n")), ["\uFEFFb"]);
});

Deno.test("auto: lines are the same messages however the reads split them, once the first read holds a newline", () => {
  fc.assert(
    fc.property(
      lineText,
      fc.array(lineText, { minLength: 1, maxLength: 30 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      (first, messages, cuts) => {
        const bytes = encoder.encode(messages.map((m) => m + "\n").join(""));
        const reads = [encoder.encode(first + "\n"), ...cut(bytes, cuts)];
        assert.deepEqual(drive(reads).messages, [first, ...messages]);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("auto: a line trickled in from its first byte is one message", () => {
  fc.assert(
    fc.property(
      lineText.filter((s) => encoder.encode(s).length >= 2),
      fc.array(fc.nat(), { maxLength: 10 }),
      (line, cuts) => {
        const bytes = encoder.encode(line + "\n");
        assert.deepEqual(drive([bytes.slice(0, 1), ...cut(bytes.slice(1), cuts)]).messages, [line]);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("auto: a line whose first read is over 1 KiB is one message however the rest is split", () => {
  fc.assert(
    fc.property(
      fc.array(lineText, { minLength: 1, maxLength: 5 }),
      fc.nat({ max: 3000 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (parts, extra, cuts) => {
        const line = "x".repeat(READ_MESSAGE_MAX_BYTES + 1) + parts.join("");
        const bytes = encoder.encode(line + "\n");
        const firstLength = Math.min(bytes.length - 1, READ_MESSAGE_MAX_BYTES + 1 + extra);
        const reads = [bytes.slice(0, firstLength), ...cut(bytes.slice(firstLength), cuts)];
        assert.deepEqual(drive(reads).messages, [line]);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("auto: a peer that never sent a newline gets one message per read, as recv(1024) gives", () => {
  fc.assert(
    fc.property(
      fc.array(
        lineText.filter((s) => {
          const length = encoder.encode(s).length;
          return length >= 2 && length <= READ_MESSAGE_MAX_BYTES;
        }),
        { maxLength: 20 },
      ),
      (reads) => {
        const framer = new Framer("auto", 1 << 20);
        // Each message comes out of its own read, at once: nothing waits for what follows.
        assert.deepEqual(
          reads.map((read) => framer.push(encoder.encode(read))),
          reads.map((r) => [r]),
        );
        assert.equal(framer.buffered, 0);
        assert.equal(framer.mode, "auto");
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("auto: a first line split into reads of 2 bytes to 1 KiB is cut at the reads", () => {
  // Where the two rules meet, the read wins: auto cannot know a newline will follow.
  assert.deepEqual(drive(["3|he", "llo\n", "3|x", "yz\n"]).messages, ["3|he", "llo", "3|xyz"]);
});

Deno.test("auto: two unterminated writes that reach one read are one message, as for recv(1024)", () => {
  assert.deepEqual(drive(["Worker 2, Event 3Worker 2, Event 4", "Worker 2, Event 5"]).messages, [
    "Worker 2, Event 3Worker 2, Event 4",
    "Worker 2, Event 5",
  ]);
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

Deno.test("auto: the first newline makes a connection line-framed for good", () => {
  const framer = new Framer("auto", 100);
  assert.deepEqual(framer.push(encoder.encode("a\nbc")), ["a"]);
  assert.equal(framer.mode, "line");
  assert.deepEqual(framer.push(encoder.encode("de")), []);
  assert.deepEqual(framer.push(encoder.encode("f\n")), ["bcdef"]);
});

Deno.test("auto: a typist sending a byte at a time gets one message per line", () => {
  assert.deepEqual(drive([..."3|abc\n3|de\n"]).messages, ["3|abc", "3|de"]);
});

Deno.test("auto: a lone byte and what follows it wait for the newline", () => {
  const { messages } = drive(["3", "|abc", "de", "f\n"]);
  assert.deepEqual(messages, ["3|abcdef"]);
});

Deno.test("auto: a 100 KB line is one message, or one overflow past the limit", () => {
  const line = encoder.encode("3|" + "x".repeat(100 * 1024) + "\n");
  const reads = cut(line, Array.from({ length: 7 }, (_, i) => (i + 1) * 16 * 1024));
  assert.deepEqual(drive(reads, 200 * 1024).messages.map((m) => m.length), [line.length - 1]);
  const limited = drive(reads, 64 * 1024);
  assert.deepEqual(limited.messages, []);
  assert.equal(limited.framer.overflowed, true);
});

Deno.test("auto: 10 MB without a newline overflows at the limit, never becomes messages", () => {
  const read = new Uint8Array(16 * 1024).fill(0x61);
  const { messages, framer } = drive(Array.from({ length: 640 }, () => read), 64 * 1024);
  assert.deepEqual(messages, []);
  assert.equal(framer.overflowed, true);
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
    const received: string[] = [];
    let onReceived = () => {};
    let port = 0;
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => listening = resolve);
    const stop = new AbortController();
    const onEvent = (event: ServerEvent) => {
      if (event.type === "listening") {
        port = event.port;
        listening();
      } else if (event.type === "close") records.push(event.record);
      else if (event.type === "log") {
        received.push(event.line);
        onReceived();
      }
    };
    const running = MODES.async.run({
      host: "127.0.0.1",
      port: 0,
      io: "deno",
      workers: 1,
      protocol: { name: "timestamp", delayMs: 0 },
      framing: "auto",
      maxLine: 1024,
      verbose: true,
      idleTimeoutMs: 0,
      requestTimeoutMs: 0,
      firstByteTimeoutMs: 0,
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
    const sent: string[] = [];
    for (let i = 1; i <= 4; i++) {
      // The next write waits until this one was a message, so that the kernel cannot join
      // two writes in one read.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const framed = new Promise<void>((resolve, reject) => {
        onReceived = resolve;
        timer = setTimeout(() => reject(new Error(`write ${i} never became a message`)), 10_000);
      });
      sent.push(`Worker 1, Event ${i}, Timestamp ${Date.now()}`);
      await conn.write(encoder.encode(sent[i - 1]));
      await framed.finally(() => clearTimeout(timer));
    }
    conn.close();
    await running;
    assert.deepEqual(
      received.map((line) => /^Sentence "(.*)" received from /.exec(line)?.[1]),
      sent,
    );
    assert.equal(records.length, 1);
    assert.equal(records[0].messages, 4);
    assert.equal(records[0].gaps.count, 3);
  },
});

/**
 * Writes `bytes` to a new connection to `port` (then half-closes, if asked) and returns all it
 * got back until the server closed, or what it had after 10 s.
 */
async function exchange(port: number, bytes: Uint8Array, closeWrite = true): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  // The server may close before taking everything (an over-long line): the write then fails.
  const writing = (async () => {
    for (let offset = 0; offset < bytes.length;) offset += await conn.write(bytes.subarray(offset));
    if (closeWrite) await conn.closeWrite();
  })().catch(() => {});
  const deadline = setTimeout(() => conn.close(), 10_000);
  let text = "";
  try {
    const decoder = new TextDecoder();
    const buffer = new Uint8Array(65536);
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
      text += decoder.decode(buffer.subarray(0, n), { stream: true });
    }
    conn.close();
  } catch { /* reset by the server, or closed at the deadline */ }
  clearTimeout(deadline);
  await writing;
  return text;
}

Deno.test("task-serve auto: a 100 KB line gets one reply, or one error past --max-line", async () => {
  const server = await startServer([...TASK_SERVE, "--max-line", "200KiB"]);
  const text = "ab".repeat(50 * 1024);
  const replies = (await exchange(server.port, encoder.encode(`3|${text}\n`))).split("\n");
  assert.equal(replies.length, 2, `${replies.length - 1} replies`);
  assert.ok(replies[0] === [...text].reverse().join("") && replies[1] === "");
  server.kill("SIGINT");
  await server.finished;
  const limited = await startServer([...TASK_SERVE]);
  assert.equal(
    await exchange(limited.port, encoder.encode(`3|${text}\n`)),
    "Error: request longer than 65536 bytes\n",
  );
  limited.kill("SIGINT");
  await limited.finished;
});

Deno.test("task-serve auto: 10 MB without a newline gets the --max-line error, once", async () => {
  const server = await startServer([...TASK_SERVE]);
  const reply = await exchange(server.port, new Uint8Array(10 * 1024 * 1024).fill(0x61), false);
  assert.equal(reply.split("\n").length, 2, `${reply.split("\n").length - 1} replies`);
  assert.equal(reply, "Error: request longer than 65536 bytes\n");
  server.kill("SIGINT");
  const { stdout } = await server.finished;
  assert.match(stdout, /1 overflow/);
});

Deno.test("task-serve auto: a line typed a byte at a time gets one reply", async () => {
  const server = await startServer([...TASK_SERVE]);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  // Each byte once the server has read the one before: a read of its own.
  for (const byte of encoder.encode("3|abc\n")) {
    await conn.write(new Uint8Array([byte]));
    await waitFor(() => readByPeer(conn.localAddr.port, server.port), {
      what: "the server to read the byte",
    });
  }
  await conn.closeWrite();
  assert.equal(await readToEnd(conn), "cba\n");
  server.kill("SIGINT");
  await server.finished;
});
