/**
 * Tests of {@link runSession} on a scripted {@link Duplex}, for what a real socket cannot be
 * made to do on cue.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Duplex, runSession } from "../../lib/server/session.ts";
import { createProtocol } from "../../lib/protocols/mod.ts";
import { type ChunkSink, WRITTEN } from "../../lib/net/transport.ts";
import { epochNow } from "../../lib/stats/epoch_now.ts";
import { SETTLE_MS } from "../../lib/protocols/framing.ts";

/**
 * A duplex that pushes every chunk from one buffer it reuses, as a transport reading through
 * Node's `onread` does: the bytes are valid only during the sink's call. Its first write stays
 * pending until `releaseWrite`.
 */
class ReusingDuplex implements Duplex {
  readonly writes: string[] = [];
  #buffer = new Uint8Array(64);
  #sink: ChunkSink | undefined;
  #end!: () => void;
  #releaseWrite!: () => void;

  read(): Promise<Uint8Array | null> {
    return Promise.reject(new Error("read() is not used: the duplex feeds"));
  }

  feed(sink: ChunkSink): Promise<void> {
    this.#sink = sink;
    return new Promise((resolve) => this.#end = resolve);
  }

  write(data: Uint8Array | string): Promise<void> {
    this.writes.push(typeof data === "string" ? data : new TextDecoder().decode(data));
    if (this.writes.length > 1) return WRITTEN;
    return new Promise((resolve) => this.#releaseWrite = resolve);
  }

  close(): void {}

  /** Reads `text` into the shared buffer and hands it to the sink; what the sink returned. */
  push(text: string): Promise<void> | undefined {
    const { written } = new TextEncoder().encodeInto(text, this.#buffer);
    return this.#sink!(this.#buffer.subarray(0, written));
  }

  /** Overwrites the buffer, as the next read (of any connection) does. */
  reuse(text: string): void {
    new TextEncoder().encodeInto(text, this.#buffer);
  }

  releaseWrite(): void {
    this.#releaseWrite();
  }

  end(): void {
    this.#end();
  }
}

Deno.test("runSession() answers bytes that came while a settled reply was pending though the transport reused their buffer", async () => {
  const duplex = new ReusingDuplex();
  const session = runSession(duplex, "127.0.0.1:1", epochNow(), "main", {
    protocol: createProtocol({ name: "task", delayMs: 0 }),
    framing: "auto",
    maxLine: 1024,
    verbose: false,
    idleTimeoutMs: 0,
    requestTimeoutMs: 0,
    log: () => {},
    now: epochNow,
  });
  await new Promise((resolve) => setTimeout(resolve, 0));
  // Unterminated: answered once the peer has been silent for SETTLE_MS, from a timer, and that
  // reply's write stays pending.
  assert.equal(duplex.push("abc"), undefined);
  const giveUp = Date.now() + 5000;
  while (duplex.writes.length === 0 && Date.now() < giveUp) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS / 5));
  }
  assert.deepEqual(duplex.writes, ["cba\n"]);
  const held = duplex.push("xyz\n");
  assert.ok(held, "bytes that come while a reply is pending are held");
  duplex.reuse("QQQ\n");
  duplex.releaseWrite();
  await held;
  duplex.end();
  const record = await session;
  assert.deepEqual(duplex.writes, ["cba\n", "zyx\n"]);
  assert.equal(record.messages, 2);
});
