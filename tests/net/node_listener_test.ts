/**
 * Tests of the `node:net` listener's accept queue, over real loopback sockets.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as net from "node:net";
import { nodeTransport } from "../../lib/net/node_transport.ts";
import { feed } from "../../lib/net/transport.ts";
import { acceptQueue, tcpEnds } from "../support/tcp_sockets.ts";
import { waitFor, within } from "../support/wait_for.ts";

const decoder = new TextDecoder();

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
  // Nobody accepts meanwhile: once the kernel's accept queue is empty, the connections and
  // their bytes wait in the listener's queue.
  await waitFor(() => acceptQueue(listener.port) === 0, {
    what: "the listener to take every connection from the kernel",
  });
  const got = new Set<string>();
  for (let i = 0; i < count; i++) {
    const conn = await listener.accept();
    if (i < count / 2) {
      const chunk = await within(conn.read(), { what: `connection ${i}'s bytes` });
      got.add(decoder.decode(chunk!));
    } else {
      const fed = feed(conn, (chunk) => {
        got.add(decoder.decode(chunk));
        conn.close();
        return undefined;
      });
      await within(fed.catch(() => {}), { what: `connection ${i}'s bytes` });
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
  await within(new Promise((resolve) => client.once("connect", resolve)), { what: "the connect" });
  const localPort = client.localPort!;
  const local = `127.0.0.1:${localPort}`;
  await waitFor(() => acceptQueue(listener.port) === 0, { what: "the listener to queue it" });
  // Nobody accepts meanwhile: the reset reaches the queued socket, which closes.
  client.resetAndDestroy();
  await waitFor(() => tcpEnds(listener.port, localPort).here === undefined, {
    what: "the kernel to close the queued socket",
  });
  const conn = await within(listener.accept(), { what: "the queued connection" });
  assert.equal(conn.peer, local);
  conn.close();
  listener.close();
});
