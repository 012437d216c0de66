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
import { NodeListener } from "./node_listener.ts";

/** The listen backlog asked of the kernel. */
const BACKLOG = 4096;
/** Descriptors kept for everything but connections: stdio, pipes, the runtime's own. */
const RESERVED_FDS = 64;

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
    const open = (at: number) =>
      new Promise<net.Server>((resolve, reject) => {
        const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: false });
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
      return new NodeListener(() => open(chosen), server, budget);
    });
  },
  connect(host, port, timeoutMs) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port, allowHalfOpen: true });
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
        resolve(new NodeConn(socket));
      });
    });
  },
};
