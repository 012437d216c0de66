/**
 * Tests of keeping a chosen port for the listeners that share it: no connect on the machine may
 * take it as its local port before they listen, and they can still join it.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as net from "node:net";
import { reservePort } from "../../lib/net/listen.ts";
import { within } from "../support/wait_for.ts";

const HOST = "127.0.0.1";

/** How a connect to `port` from local port `localPort` ends: "connected" or its error code. */
function connectFrom(localPort: number, port: number): Promise<string> {
  return within(
    new Promise((resolve) => {
      const socket = net.connect({ host: HOST, port, localAddress: HOST, localPort });
      socket.once("connect", () => {
        socket.destroy();
        resolve("connected");
      });
      socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    }),
    { what: "the connect" },
  );
}

Deno.test("reservePort() keeps a chosen port from connects until released, and listeners share it", async () => {
  const target = Deno.listen({ hostname: HOST, port: 0 });
  const reserved = reservePort(HOST, 0);
  try {
    // What the kernel does when a connect picks this ephemeral port as its local one.
    assert.equal(await connectFrom(reserved.port, target.addr.port), "EADDRINUSE");
    const member = Deno.listen({ hostname: HOST, port: reserved.port, reusePort: true });
    reserved.release();
    // The member keeps the port and serves it once the holder is gone.
    const client = await Deno.connect({ hostname: HOST, port: reserved.port });
    const accepted = await within(member.accept(), { what: "the member's accept" });
    for (const end of [client, accepted, member]) end.close();
  } finally {
    reserved.release();
    target.close();
  }
});

Deno.test("reservePort() refuses a port in use, and a released port is free again", async () => {
  const taken = Deno.listen({ hostname: HOST, port: 0 });
  assert.throws(
    () => reservePort(HOST, taken.addr.port),
    /Cannot listen on 127\.0\.0\.1:\d+: the port is already in use/,
  );
  taken.close();
  const target = Deno.listen({ hostname: HOST, port: 0 });
  const reserved = reservePort(HOST, 0);
  reserved.release();
  // Released, the port is free again, for anyone: that is the gap the holder closes.
  assert.equal(await connectFrom(reserved.port, target.addr.port), "connected");
  target.close();
});
