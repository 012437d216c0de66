/**
 * The `node` transport: `node:net` inside Deno, its connections ({@link NodeConn}) pushing
 * what they read and its listeners ({@link NodeListener}) keeping within a descriptor budget.
 *
 * @module
 */

import * as net from "node:net";
import { readFdLimit } from "./fd_limit.ts";
import type { Transport } from "./transport.ts";
import { denoError, NodeConn } from "./node_conn.ts";
import { exhaustionCount, NodeListener, shareExhaustionCount } from "./node_listener.ts";

/** The listen backlog asked of the kernel. */
const BACKLOG = 4096;
/** Descriptors kept for everything but connections: stdio, pipes, the runtime's own. */
const RESERVED_FDS = 64;

/**
 * Where this thread's sockets read (Node's `onread` option), one for them all: the runtime reads
 * into it and calls back at once, and {@link NodeConn.receive} copies only what it has to keep.
 * Reading into a fresh Buffer per chunk, pushed through the Readable stream and a `data` event,
 * cost the load generator 15% more CPU per request and the server 20% more user CPU
 * (BENCHMARKS.md sections 3 and 4).
 */
const ON_READ = {
  buffer: new Uint8Array(64 * 1024),
  callback(this: net.Socket, n: number, buffer: Uint8Array): boolean {
    // The connection is set by the "connect" or "connection" event; reads start then too, but
    // the first one is only taken at a later poll of the event loop, so none comes before it.
    return NodeConn.of(this)?.receive(buffer.subarray(0, n), true) ?? false;
  },
};

/** Deno's `node:net` server internals that make each accepted socket. */
interface SocketFactory {
  _createSocket?(this: net.Server, handle: unknown): net.Socket;
}

/**
 * Makes `server`'s accepted sockets read through {@link ON_READ} too. Node's server has no
 * option for it: Deno 2.9.6 makes each accepted socket in `Server.prototype._createSocket`,
 * which this replaces with the same construction plus `onread`. A runtime without that method
 * keeps its own sockets, which NodeConn reads through their `data` event. Returns whether the
 * sockets read through `onread`.
 */
function acceptIntoSharedBuffer(server: net.Server): boolean {
  const factory = server as net.Server & SocketFactory;
  if (typeof factory._createSocket !== "function") return false;
  factory._createSocket = function (handle) {
    const socket = new net.Socket(
      {
        handle,
        allowHalfOpen: true,
        readable: true,
        writable: true,
        onread: ON_READ,
      } as net.SocketConstructorOpts,
    );
    Object.assign(socket, { server: this, _server: this });
    return socket;
  };
  return true;
}

/** This process's open-file limit, read once (through `prlimit`: /proc needs --allow-all). */
let fdLimit: ReturnType<typeof readFdLimit> | undefined;

/** `node:net`. */
export const nodeTransport: Transport = {
  name: "node",
  backlog: BACKLOG,
  async listen({ host, port, reusePort = false, fdShare = 1 }) {
    fdLimit ??= readFdLimit();
    const limit = (await fdLimit)?.soft ?? Number.MAX_SAFE_INTEGER;
    const budget = Math.max(1, Math.floor((limit - RESERVED_FDS) * fdShare));
    let pushes = false;
    const open = (at: number) =>
      new Promise<net.Server>((resolve, reject) => {
        const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: false });
        pushes = acceptIntoSharedBuffer(server);
        server.once("error", (error) => reject(denoError(error)));
        server.listen({ host, port: at, reusePort, backlog: BACKLOG, exclusive: true }, () => {
          server.removeAllListeners("error");
          // Errors after listening belong to single connections; the accept loop goes on.
          server.on("error", () => {});
          resolve(server);
        });
      });
    return open(port).then((server) => {
      const chosen = (server.address() as net.AddressInfo).port;
      return new NodeListener(() => open(chosen), server, budget, pushes);
    });
  },
  connect(host, port, timeoutMs) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port, allowHalfOpen: true, onread: ON_READ });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Deno.errors.TimedOut("connect timed out"));
      }, timeoutMs);
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(denoError(error));
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new NodeConn(socket, true));
      });
    });
  },
  // Listeners reopen once the process's exhaustion count moves (see NodeListener).
  threadShared: exhaustionCount,
  joinThreadShared: shareExhaustionCount,
};
