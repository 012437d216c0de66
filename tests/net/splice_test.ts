/**
 * Tests of splice(): two real loopback connections joined through this process, as the pool's
 * relay joins a client to a member.
 *
 * @module
 */

import assert from "node:assert/strict";
import { denoTransport } from "../../lib/net/deno_transport.ts";
import { splice } from "../../lib/net/splice.ts";
import type { Conn } from "../../lib/net/transport.ts";
import { tcpEnds } from "../support/tcp_sockets.ts";
import { waitFor } from "../support/wait_for.ts";

const HOST = "127.0.0.1";
const encoder = new TextEncoder();

/** A client and a server joined by splice() in between; `lingerMs` as splice takes it. */
async function joined(lingerMs = 0) {
  const serverSide = await denoTransport.listen({ host: HOST, port: 0 });
  const relaySide = await denoTransport.listen({ host: HOST, port: 0 });
  const [client, relayed] = await Promise.all([
    denoTransport.connect(HOST, relaySide.port, 5000),
    relaySide.accept(),
  ]);
  const [upstream, server] = await Promise.all([
    denoTransport.connect(HOST, serverSide.port, 5000),
    serverSide.accept(),
  ]);
  serverSide.close();
  relaySide.close();
  const serverPort = serverSide.port;
  return { client, server, serverPort, spliced: splice(relayed, upstream, lingerMs) };
}

/** Everything `conn` receives until the peer finishes sending. */
async function readAll(conn: Conn): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (let chunk = await conn.read(); chunk !== null; chunk = await conn.read()) {
    parts.push(chunk.slice());
  }
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

Deno.test("splice() relays both ways and passes each half-close on", async () => {
  const { client, server, spliced } = await joined();
  await client.write(encoder.encode("request"));
  await client.closeWrite();
  // The server sees the client's end while it can still answer.
  assert.equal(new TextDecoder().decode(await readAll(server)), "request");
  await server.write(encoder.encode("reply"));
  await server.closeWrite();
  assert.equal(new TextDecoder().decode(await readAll(client)), "reply");
  await spliced;
  client.close();
  server.close();
});

Deno.test("splice() delivers every byte in order to a peer that reads late", async () => {
  const { client, server, serverPort, spliced } = await joined();
  const bytes = new Uint8Array(8 * 2 ** 20).map((_, i) => (i * 7 + (i >> 12)) & 0xff);
  const sending = client.write(bytes).then(() => client.closeWrite());
  // Read late: only once the server's receive buffer holds bytes and the relay has more that
  // the server's window does not take, so the relay is held back.
  const relayPort = Number(server.peer.split(":").at(-1));
  await waitFor(() => {
    const { here: received, there: relaying } = tcpEnds(serverPort, relayPort);
    return (received?.rxQueue ?? 0) > 0 && (relaying?.txQueue ?? 0) > 0;
  }, { what: "the relay to be held back by the unread server" });
  const received = await readAll(server);
  await sending;
  assert.equal(received.length, bytes.length);
  assert.ok(received.every((byte, i) => byte === bytes[i]), "the bytes arrive unchanged");
  await server.closeWrite();
  assert.equal((await readAll(client)).length, 0);
  await spliced;
  client.close();
  server.close();
});

Deno.test("splice() closes both once one side ended and the other ignores it past lingerMs", async () => {
  const { client, server, spliced } = await joined(200);
  await server.write(encoder.encode("bye"));
  server.close();
  assert.equal(new TextDecoder().decode(await readAll(client)), "bye");
  // The client neither sends nor closes: the relay gives up on it after lingerMs.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise((resolve) => timer = setTimeout(() => resolve("still open"), 5000));
  assert.equal(await Promise.race([spliced.then(() => "closed"), late]), "closed");
  clearTimeout(timer);
  client.close();
});

Deno.test("splice() still delivers what a side sent before it stopped taking bytes", async () => {
  const { client, server, spliced } = await joined();
  const request = new Uint8Array(4 * 2 ** 20);
  const sending = client.write(request).catch(() => {});
  await server.read();
  // The server answers and closes without reading the rest, as on an oversized request.
  await server.write(encoder.encode("Error: too long\n"));
  server.close();
  let text = "";
  try {
    for (let chunk = await client.read(); chunk !== null; chunk = await client.read()) {
      text += new TextDecoder().decode(chunk);
    }
  } catch (error) {
    assert.ok(error instanceof Deno.errors.ConnectionReset, String(error));
  }
  assert.equal(text, "Error: too long\n");
  await sending;
  await spliced;
  client.close();
});
