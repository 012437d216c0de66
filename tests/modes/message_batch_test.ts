/**
 * A pool member's batched messages: nothing is lost or reordered, a batch waits at most its
 * time, an urgent message goes out at once with what queued before it, and a batch never
 * grows past its size.
 *
 * @module
 */

import assert from "node:assert/strict";
import { BATCH_MS, BATCH_SIZE, eachMessage, MessageBatch } from "../../modes/_message_batch.ts";
import { sleep, waitFor } from "../support/wait_for.ts";

type Message = { type: "open" | "close" | "done"; n: number };

function recorder() {
  const posted: Message[][] = [];
  const batch = new MessageBatch<Message>(
    (messages) => posted.push(messages),
    (message) => message.type === "done",
  );
  return { posted, batch };
}

Deno.test("MessageBatch.push() holds messages until the batch is due, then posts them in order", async () => {
  const { posted, batch } = recorder();
  batch.push({ type: "open", n: 1 });
  batch.push({ type: "close", n: 1 });
  batch.push({ type: "open", n: 2 });
  assert.deepEqual(posted, []);
  // The batch's timer may run late on a busy machine: wait for it.
  await waitFor(() => posted.length > 0, { what: "the batch's timer" });
  assert.deepEqual(posted, [[
    { type: "open", n: 1 },
    { type: "close", n: 1 },
    { type: "open", n: 2 },
  ]]);
});

Deno.test("MessageBatch.push() posts an urgent message at once, after what queued before it", async () => {
  const { posted, batch } = recorder();
  batch.push({ type: "close", n: 1 });
  batch.push({ type: "done", n: 2 });
  assert.deepEqual(posted, [[{ type: "close", n: 1 }, { type: "done", n: 2 }]]);
  // Timers fire in the order they are due, however late a busy machine runs them: the
  // batch's, had it been left set, was due before this one, so it would have come first.
  await sleep(BATCH_MS + 1);
  assert.equal(posted.length, 1, "the batch's timer posted again");
});

Deno.test("MessageBatch.push() posts a full batch at once", () => {
  const { posted, batch } = recorder();
  for (let n = 0; n < BATCH_SIZE * 2 + 1; n++) batch.push({ type: "open", n });
  assert.deepEqual(posted.map((messages) => messages.length), [BATCH_SIZE, BATCH_SIZE]);
  batch.flush();
  assert.deepEqual(posted.flat().map((message) => message.n), [
    ...Array(BATCH_SIZE * 2 + 1).keys(),
  ]);
});

Deno.test("MessageBatch.flush() posts nothing when nothing is queued", () => {
  const { posted, batch } = recorder();
  batch.flush();
  assert.deepEqual(posted, []);
});

Deno.test("eachMessage() hands on each message of a batch in order, and a single message", () => {
  const seen: number[] = [];
  eachMessage([1, 2, 3], (n) => seen.push(n));
  eachMessage(4, (n) => seen.push(n));
  assert.deepEqual(seen, [1, 2, 3, 4]);
});
