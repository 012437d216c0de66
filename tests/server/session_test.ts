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
import type { Framing } from "../../lib/protocols/framing.ts";
import { waitFor } from "../support/wait_for.ts";

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

  /** Whether the session has started feeding from it. */
  get fed(): boolean {
    return this.#sink !== undefined;
  }

  /** Reads `text` into the shared buffer and hands it to the sink; what the sink returned. */
  push(text: string): Promise<void> | undefined {
    const { written } = new TextEncoder().encodeInto(text, this.#buffer);
    return this.#sink!(this.#buffer.subarray(0, written));
  }

  releaseWrite(): void {
    this.#releaseWrite();
  }

  end(): void {
    this.#end();
  }
}

Deno.test("runSession() holds the next bytes while a reply is pending, and answers them after", async () => {
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
  await waitFor(() => duplex.fed, { what: "the session to feed from the duplex" });
  // Unterminated: answered at once, with no wait for more; that reply's write stays pending.
  const held = duplex.push("abc");
  assert.ok(held, "the transport is told to hold the next bytes while a reply is pending");
  assert.deepEqual(duplex.writes, ["cba\n"]);
  duplex.releaseWrite();
  await held;
  assert.equal(duplex.push("xyz\n"), undefined);
  duplex.end();
  const record = await session;
  assert.deepEqual(duplex.writes, ["cba\n", "zyx\n"]);
  assert.equal(record.messages, 2);
});

/** Runs a timestamp session over timed reads on a scripted clock; each message's arrival time. */
async function arrivalTimes(
  framing: Framing,
  reads: [text: string, at: number][],
  closeAt: number,
) {
  let clock = 0;
  const times: number[] = [];
  const script = [...reads];
  const duplex: Duplex = {
    read() {
      const next = script.shift();
      clock = next?.[1] ?? closeAt;
      return Promise.resolve(next ? new TextEncoder().encode(next[0]) : null);
    },
    write: () => WRITTEN,
    close() {},
  };
  const record = await runSession(duplex, "127.0.0.1:1", 0, "main", {
    protocol: createProtocol({ name: "timestamp", delayMs: 0 }),
    framing,
    maxLine: 4096,
    verbose: false,
    idleTimeoutMs: 0,
    requestTimeoutMs: 0,
    log: () => {},
    now: () => clock,
    onSample: (_peer, _worker, at) => times.push(at),
  });
  return { times, record };
}

Deno.test("runSession() times every message at the read that completed it, in every framing", async () => {
  const reads: [string, number][] = [["Worker 1, Event 1", 100], ["Worker 1, Event 2", 150]];
  for (const framing of ["auto", "chunk"] as const) {
    const { times, record } = await arrivalTimes(framing, reads, 10_000);
    assert.deepEqual(times, [100, 150], framing);
    const { count, mean } = record.gaps.summary();
    assert.deepEqual([count, mean], [1, 50], framing);
  }
  // A last line without its newline is completed by the close, but arrived with its bytes.
  const line = await arrivalTimes("line", [["a\nb", 100], ["c", 150]], 10_000);
  assert.deepEqual(line.times, [100, 150]);
  const auto = await arrivalTimes("auto", [["a\n", 100], ["bc", 150], ["d", 175]], 10_000);
  assert.deepEqual(auto.times, [100, 175]);
});
