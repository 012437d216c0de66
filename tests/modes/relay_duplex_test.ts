/**
 * The records that carry a relayed connection's reads to a `proc` child: each read arrives
 * whole with its arrival time whatever the pipe does to the records, the child stops reading
 * the pipe while its window is full, and a pipe that ends without the end record closes the
 * connection.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  PushDuplex,
  pushRecords,
  RELAY_WINDOW_BYTES,
  RelayWindow,
} from "../../modes/_relay_duplex.ts";
import { relayRecord } from "../../modes/_member_messages.ts";
import { waitFor, waitForSteady } from "../support/wait_for.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A pull-based stream of `chunks` that counts the bytes taken from it. */
function pipe(chunks: Uint8Array[]) {
  let taken = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks.shift();
      if (chunk === undefined) return controller.close();
      taken += chunk.length;
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
  return { stream, taken: () => taken };
}

function child(stream: ReadableStream<Uint8Array>) {
  const window = new RelayWindow();
  const duplex = new PushDuplex(() => {}, (bytes) => window.release(bytes), () => {});
  return { duplex, pushed: pushRecords(stream, duplex, window) };
}

Deno.test("pushRecords() delivers each read with its arrival time, however the pipe splits records", async () => {
  const reads = [["3", 1000.25], ["|", 1100.5], ["ab\n", 1200.75]] as const;
  const records = [
    ...reads.map(([text, at]) => relayRecord(encoder.encode(text), at)),
    relayRecord(null, 1300),
  ];
  // One byte at a time: every record straddles chunks.
  const { duplex, pushed } = child(
    pipe(records.flatMap((record) => [...record].map((byte) => Uint8Array.of(byte)))).stream,
  );
  for (const [text, at] of reads) {
    const chunk = await duplex.read();
    assert.equal(chunk && decoder.decode(chunk), text);
    assert.equal(duplex.arrivedAt(), at);
  }
  assert.equal(await duplex.read(), null);
  await pushed;
});

Deno.test("pushRecords() stops reading the pipe while the session has a window unread", async () => {
  const record = relayRecord(new Uint8Array(16 * 1024), 0);
  const { stream, taken } = pipe(Array.from({ length: 64 }, () => record));
  const { duplex } = child(stream);
  const held = await waitForSteady(taken, {
    what: "the bytes taken from the pipe",
    intervalMs: 10,
  });
  assert.ok(held > 0 && held <= RELAY_WINDOW_BYTES + 2 * record.length, `${held} bytes taken`);
  for (let i = 0; i < 8; i++) await duplex.read();
  await waitFor(() => taken() > held, { what: "reading to reopen the window" });
  duplex.close();
});

Deno.test("pushRecords() closes the connection when the pipe ends without the end record", async () => {
  const { duplex, pushed } = child(pipe([relayRecord(encoder.encode("abc"), 0)]).stream);
  assert.equal(decoder.decode((await duplex.read())!), "abc");
  await pushed;
  await assert.rejects(duplex.read(), Deno.errors.BadResource);
});
