/**
 * Tests of a `node:net` connection's push path, `Conn.feed`, over real loopback sockets.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as net from "node:net";
import { NodeConn } from "../../lib/net/node_conn.ts";
import { nodeTransport } from "../../lib/net/node_transport.ts";
import { type Conn, WRITTEN } from "../../lib/net/transport.ts";
import { readByPeer, tcpEnds } from "../support/tcp_sockets.ts";
import { sleep, waitFor, within } from "../support/wait_for.ts";

/** A connected pair: `server` accepted by the node transport, `client` a plain Deno socket. */
async function pair(): Promise<{ server: Conn; client: Deno.TcpConn; close(): void }> {
  const listener = await nodeTransport.listen({ host: "127.0.0.1", port: 0 });
  const [server, client] = await Promise.all([
    listener.accept(),
    Deno.connect({ hostname: "127.0.0.1", port: listener.port }),
  ]);
  return {
    server,
    client,
    close() {
      server.close();
      try {
        client.close();
      } catch { /* closed by the test */ }
      listener.close();
    },
  };
}

/**
 * How long a sink is watched for bytes or an end it must not be given yet, once they are in
 * this side's kernel: a socket that did not hold them would hand them over at the event loop's
 * next look at its sockets, which this wait lets happen (a busy machine can only make it miss
 * them, never fail wrongly).
 */
const HELD_MS = 20;

/** Both ends of `peer`'s connection as the kernel has them. */
const endsOf = (peer: Deno.Conn) =>
  tcpEnds((peer.localAddr as Deno.NetAddr).port, (peer.remoteAddr as Deno.NetAddr).port);

/** Whether what `peer` wrote has reached the other side's kernel (nothing unacknowledged). */
const sent = (peer: Deno.Conn) => endsOf(peer).here?.txQueue === 0;

/** Whether what `peer` wrote has also been read from the kernel by the other side. */
const readByOtherSide = (peer: Deno.Conn) =>
  readByPeer((peer.localAddr as Deno.NetAddr).port, (peer.remoteAddr as Deno.NetAddr).port);

const text = (chunks: Uint8Array[]) => chunks.map((c) => new TextDecoder().decode(c)).join("");

Deno.test("NodeConn.feed() pushes every byte in order and resolves at the peer's end", async () => {
  const { server, client, close } = await pair();
  try {
    const seen: Uint8Array[] = [];
    const fed = server.feed!((chunk) => void seen.push(chunk.slice()));
    await client.write(new TextEncoder().encode("one\n"));
    await waitFor(() => text(seen) === "one\n", { what: "the first chunk", timeoutMs: 5000 });
    await client.write(new TextEncoder().encode("two\nthree"));
    await client.closeWrite();
    await fed;
    assert.equal(text(seen), "one\ntwo\nthree");
  } finally {
    close();
  }
});

Deno.test("NodeConn.feed() holds further bytes while the sink's promise is pending", async () => {
  const { server, client, close } = await pair();
  try {
    const seen: string[] = [];
    let release!: () => void;
    const hold = new Promise<void>((resolve) => release = resolve);
    const fed = server.feed!((chunk) => {
      seen.push(new TextDecoder().decode(chunk));
      return seen.length === 1 ? hold : undefined;
    });
    await client.write(new TextEncoder().encode("first"));
    await waitFor(() => seen.length === 1, { what: "the first chunk", timeoutMs: 5000 });
    await client.write(new TextEncoder().encode("second"));
    await client.closeWrite();
    // Held: the second chunk and the end, here in the kernel (the client's end has its FIN
    // acknowledged), wait for the sink.
    await waitFor(
      () => tcpEnds(client.localAddr.port, client.remoteAddr.port).here?.state === "FIN_WAIT2",
      { what: "the second chunk and the end to reach the server's side", timeoutMs: 5000 },
    );
    await sleep(HELD_MS);
    assert.deepEqual(seen, ["first"]);
    let ended = false;
    fed.then(() => ended = true);
    await sleep(HELD_MS);
    assert.equal(ended, false);
    release();
    await fed;
    assert.equal(seen.join(""), "firstsecond");
  } finally {
    close();
  }
});

Deno.test("NodeConn.feed() rejects with the sink's failure and on a close here", async () => {
  const { server, client, close } = await pair();
  try {
    const failing = server.feed!(() => Promise.reject(new Error("sink broke")));
    await client.write(new TextEncoder().encode("x"));
    await assert.rejects(failing, /sink broke/);
    const closing = server.feed!(() => undefined);
    server.close();
    await assert.rejects(closing, Deno.errors.BadResource);
  } finally {
    close();
  }
});

Deno.test("NodeConn.write() returns WRITTEN when the socket took the bytes at once", async () => {
  const { server, client, close } = await pair();
  try {
    assert.equal(server.write(new TextEncoder().encode("hi\n")), WRITTEN);
    const buffer = new Uint8Array(8);
    assert.equal(await client.read(buffer), 3);
  } finally {
    close();
  }
});

Deno.test("NodeConn.feed() feeds again after a sink's failure ended the last feed", async () => {
  const { server, client, close } = await pair();
  try {
    const failing = server.feed!(() => Promise.reject(new Error("sink broke")));
    await client.write(new TextEncoder().encode("lost "));
    await assert.rejects(failing, /sink broke/);
    const seen: Uint8Array[] = [];
    const fed = server.feed!((chunk) => void seen.push(chunk.slice()));
    await client.write(new TextEncoder().encode("again"));
    await waitFor(() => text(seen) === "again", {
      what: "the bytes sent after the failure",
      timeoutMs: 5000,
    });
    await client.closeWrite();
    await fed;
  } finally {
    close();
  }
});

/**
 * Three connections of the node transport (`ours`) with plain Deno sockets at the other end,
 * made by `open`, which returns a cleanup.
 */
type Pairs = (ours: Conn[], theirs: Deno.Conn[]) => Promise<() => void>;

/**
 * Checks that each connection keeps its unread bytes, and a chunk its feed's sink holds back,
 * while the other connections read into the same buffer; returns the buffers the sink saw.
 */
async function checkBytesApart(open: Pairs): Promise<ArrayBufferLike[]> {
  const ours: Conn[] = [];
  const theirs: Deno.Conn[] = [];
  const cleanup = await open(ours, theirs);
  try {
    // Each arrives while nobody reads: every connection keeps its chunk while the next
    // connection's read lands in the same buffer.
    for (const [i, peer] of theirs.entries()) {
      await peer.write(new TextEncoder().encode(`reply ${i}`));
      await waitFor(() => readByOtherSide(peer), { what: `reply ${i} read`, timeoutMs: 5000 });
    }
    const got = [];
    for (const conn of ours) got.push(text([(await conn.read())!]));
    assert.deepEqual(got, ["reply 0", "reply 1", "reply 2"]);
    // Then fed: a chunk held back by the sink's promise is kept the same way.
    let release!: () => void;
    const seen: string[] = [];
    const buffers: ArrayBufferLike[] = [];
    const fed = ours[0].feed!((chunk) => {
      seen.push(text([chunk]));
      buffers.push(chunk.buffer);
      return seen.length === 1 ? new Promise<void>((resolve) => release = resolve) : undefined;
    });
    await theirs[0].write(new TextEncoder().encode("held"));
    await waitFor(() => seen.length === 1, { what: "the held chunk", timeoutMs: 5000 });
    await theirs[0].write(new TextEncoder().encode("kept"));
    // In this side's kernel, and a look of the event loop later in the connection if it
    // reads ahead while its sink holds.
    await waitFor(() => sent(theirs[0]), { what: "the kept chunk sent", timeoutMs: 5000 });
    await sleep(HELD_MS);
    const other = ours[1].feed!((chunk) => void buffers.push(chunk.buffer));
    other.catch(() => {});
    await theirs[1].write(new TextEncoder().encode("other"));
    await waitFor(() => buffers.length === 2, {
      what: "the other connection's chunk",
      timeoutMs: 5000,
    });
    release();
    theirs[0].close();
    await fed;
    assert.deepEqual(seen, ["held", "kept"]);
    return buffers;
  } finally {
    cleanup();
  }
}

Deno.test("nodeTransport.connect() keeps each connection's unread bytes apart though reads share one buffer", async () => {
  const buffers = await checkBytesApart(async (ours, theirs) => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    for (let i = 0; i < 3; i++) {
      const [client, server] = await Promise.all([
        nodeTransport.connect("127.0.0.1", listener.addr.port, 2000),
        listener.accept(),
      ]);
      ours.push(client);
      theirs.push(server);
    }
    return () => closeAll(ours, theirs, () => listener.close());
  });
  assert.equal(buffers[0], buffers[1], "the two connections read into one buffer");
});

Deno.test("nodeTransport.listen() keeps each accepted connection's unread bytes apart though reads share one buffer", async () => {
  const buffers = await checkBytesApart(async (ours, theirs) => {
    const listener = await nodeTransport.listen({ host: "127.0.0.1", port: 0 });
    for (let i = 0; i < 3; i++) {
      const [server, client] = await Promise.all([
        listener.accept(),
        Deno.connect({ hostname: "127.0.0.1", port: listener.port }),
      ]);
      ours.push(server);
      theirs.push(client);
    }
    return () => closeAll(ours, theirs, () => listener.close());
  });
  // Accepted sockets read through `onread` as connected ones do (Server._createSocket).
  assert.equal(buffers[0], buffers[1], "the two connections read into one buffer");
});

function closeAll(ours: Conn[], theirs: Deno.Conn[], closeListener: () => void): void {
  for (const conn of ours) conn.close();
  for (const peer of theirs) {
    try {
      peer.close();
    } catch { /* closed by the test */ }
  }
  closeListener();
}

Deno.test("NodeConn reads a socket without onread through its data event, pushed or read", async () => {
  // A runtime whose node:net server cannot accept into the shared buffer hands over plain
  // sockets (see acceptIntoSharedBuffer): they emit `data`, and only a listener hears it.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const socket = net.connect({ host: "127.0.0.1", port: listener.addr.port, allowHalfOpen: true });
  const [peer] = await Promise.all([
    listener.accept(),
    new Promise((resolve) => socket.once("connect", resolve)),
  ]);
  const conn = new NodeConn(socket, false);
  try {
    await peer.write(new TextEncoder().encode("read\n"));
    assert.equal(
      new TextDecoder().decode((await within(conn.read(), { what: "a read" }))!),
      "read\n",
    );
    const seen: Uint8Array[] = [];
    const fed = conn.feed!((chunk) => void seen.push(chunk.slice()));
    await peer.write(new TextEncoder().encode("fed\n"));
    await peer.closeWrite();
    await within(fed, { what: "the feed's end" });
    assert.equal(text(seen), "fed\n");
  } finally {
    conn.close();
    peer.close();
    listener.close();
  }
});
