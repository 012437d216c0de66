/**
 * Tests of the `node:net` listener's accept queue, over real loopback sockets.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as net from "node:net";
import { NodeListener } from "../../lib/net/node_listener.ts";
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

Deno.test("NodeListener reopens after running out of its budget while the old server's connections stay open", async () => {
  const open = (port: number) =>
    new Promise<net.Server>((resolve, reject) => {
      const server = net.createServer({ allowHalfOpen: true });
      server.once("error", reject);
      server.listen({ host: "127.0.0.1", port, exclusive: true }, () => resolve(server));
    });
  const first = await open(0);
  const port = (first.address() as net.AddressInfo).port;
  const listener = new NodeListener(() => open(port), first, 2, false);
  const connected = async () => {
    const client = await Deno.connect({ hostname: "127.0.0.1", port });
    return { client, conn: await within(listener.accept(), { what: "the accept" }) };
  };
  const [a, b] = [await connected(), await connected()];
  // Over the budget: reset, and the next accept says so.
  const over = await Deno.connect({ hostname: "127.0.0.1", port });
  await assert.rejects(within(listener.accept(), { what: "the refusal" }), /Too many open files/);
  over.close();
  // Half the budget free again: the listener closes its server to open another, while b, a
  // connection of the old server, stays open.
  a.conn.close();
  a.client.close();
  await waitFor(() => !first.listening, { what: "the listener to close its old server" });
  const later = await waitFor(
    () => Deno.connect({ hostname: "127.0.0.1", port }).catch(() => false as const),
    { what: "the new server to take a connect" },
  );
  const served = await within(listener.accept(), { what: "the connection after the reopen" });
  await later.write(new TextEncoder().encode("hi"));
  assert.equal(decoder.decode((await within(served.read(), { what: "its bytes" }))!), "hi");
  for (const end of [later, served, b.client, b.conn]) end.close();
  listener.close();
});
