/**
 * Tests of the `node:net` listener's accept queue, over real loopback sockets.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as net from "node:net";
import { nodeTransport } from "../../lib/net/node_transport.ts";
import { feed } from "../../lib/net/transport.ts";

const decoder = new TextDecoder();

/** `promise`, or a failure naming `what` after `ms`. */
async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("NodeListener hands over every connection of a long accept queue with its bytes, read or fed", async () => {
  const listener = await nodeTransport.listen({ host: "127.0.0.1", port: 0 });
  // More than the queue lets read before they are accepted, so some wait paused.
  const count = 150;
  const clients = await Promise.all(
    Array.from(
      { length: count },
      () => Deno.connect({ hostname: "127.0.0.1", port: listener.port }),
    ),
  );
  await Promise.all(
    clients.map((client, i) => client.write(new TextEncoder().encode(`hello ${i}\n`))),
  );
  // Nobody accepts meanwhile: the connections and their bytes wait in the listener's queue.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const got = new Set<string>();
  for (let i = 0; i < count; i++) {
    const conn = await listener.accept();
    if (i < count / 2) {
      const chunk = await within(5000, conn.read(), `connection ${i}'s bytes`);
      got.add(decoder.decode(chunk!));
    } else {
      const fed = feed(conn, (chunk) => {
        got.add(decoder.decode(chunk));
        conn.close();
        return undefined;
      });
      await within(5000, fed.catch(() => {}), `connection ${i}'s bytes`);
    }
    conn.close();
  }
  assert.equal(got.size, count);
  for (let i = 0; i < count; i++) assert.ok(got.has(`hello ${i}\n`), `hello ${i}`);
  for (const client of clients) client.close();
  listener.close();
});

Deno.test("NodeListener keeps the peer's address of a connection reset while it waited in the queue", async () => {
  const listener = await nodeTransport.listen({ host: "127.0.0.1", port: 0 });
  const client = net.connect({ host: "127.0.0.1", port: listener.port });
  await within(5000, new Promise((resolve) => client.once("connect", resolve)), "the connect");
  const local = `127.0.0.1:${client.localPort}`;
  // Nobody accepts meanwhile: the reset reaches the queued socket, which closes.
  client.resetAndDestroy();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const conn = await within(5000, listener.accept(), "the queued connection");
  assert.equal(conn.peer, local);
  conn.close();
  listener.close();
});
