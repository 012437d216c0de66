/**
 * The `node` transport: `node:net` inside Deno. Sockets read on their own and push chunks,
 * to a waiting `read` or straight to a {@link Conn.feed} sink; a connection keeps at most one
 * chunk nobody took before it pauses its socket, so a slow consumer holds the peer back
 * through TCP flow control instead of buffering. Writes report
 * backpressure through `drain`. Node's errors become the `Deno.errors` classes.
 *
 * @module
 */

import * as net from "node:net";
import { readFdLimit } from "./fd_limit.ts";
import {
  type ChunkSink,
  type Conn,
  formatHostPort,
  type Listener,
  type Transport,
  WRITTEN,
} from "./transport.ts";

/** The listen backlog asked of the kernel. */
const BACKLOG = 4096;
/** Descriptors kept for everything but connections: stdio, pipes, the runtime's own. */
const RESERVED_FDS = 64;
/** How long a closed connection may take to flush what it wrote before it is destroyed. */
const CLOSE_FLUSH_MS = 2000;

const ERRORS: Record<string, new (message: string) => Error> = {
  ECONNREFUSED: Deno.errors.ConnectionRefused,
  ECONNRESET: Deno.errors.ConnectionReset,
  ECONNABORTED: Deno.errors.ConnectionAborted,
  EPIPE: Deno.errors.BrokenPipe,
  ETIMEDOUT: Deno.errors.TimedOut,
  ENOTFOUND: Deno.errors.NotFound,
  EAI_AGAIN: Deno.errors.NotFound,
  EADDRINUSE: Deno.errors.AddrInUse,
  EADDRNOTAVAIL: Deno.errors.AddrNotAvailable,
  EACCES: Deno.errors.PermissionDenied,
  ENOTCONN: Deno.errors.NotConnected,
};

/** Node's error as the `Deno.errors` class of the same meaning, keeping its code. */
function denoError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const code = (error as { code?: string }).code;
  const Kind = code === undefined ? undefined : ERRORS[code];
  if (Kind === undefined) return error;
  const mapped: Error = new Kind(error.message);
  Object.assign(mapped, { code });
  return mapped;
}

/**
 * How many times a listener of this process ran out of its descriptor budget. Web Workers
 * share the process's open-file limit, so a pool's workers share this counter (see
 * {@link shareExhaustionCount}): one worker running out may have stopped another's native
 * accept, and every listener reopens once the count moves.
 */
let exhaustions: Int32Array = new Int32Array(new SharedArrayBuffer(4));

/** The counter, for the parent to hand to the Web Workers that listen in its process. */
export function exhaustionCount(): Int32Array {
  return exhaustions;
}

/** Makes this Web Worker's listeners count with the parent's counter. */
export function shareExhaustionCount(shared: Int32Array): void {
  exhaustions = shared;
}

/** This process's open-file limit, read once (through `prlimit`: /proc needs --allow-all). */
let fdLimit: ReturnType<typeof readFdLimit> | undefined;

/** How often a listener looks at the counter. */
const EXHAUSTION_CHECK_MS = 200;

const closedError = () => new Deno.errors.BadResource("The connection is closed");

class NodeConn implements Conn {
  readonly peer: string;
  #socket: net.Socket;
  /** Bytes that arrived while nobody could take them; the socket is paused meanwhile. */
  #chunks: Uint8Array[] = [];
  #ended = false;
  #closed = false;
  #error: Error | undefined;
  #reader: { resolve(chunk: Uint8Array | null): void; reject(error: Error): void } | undefined;
  #feed: { sink: ChunkSink; resolve(): void; reject(error: Error): void } | undefined;
  /** The feed's sink is holding bytes back until this settles. */
  #held = false;
  #drainWaiters: { resolve(): void; reject(error: Error): void }[] = [];

  constructor(socket: net.Socket) {
    this.#socket = socket;
    this.peer = formatHostPort(socket.remoteAddress ?? "unknown", socket.remotePort ?? 0);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Uint8Array) => {
      if (this.#feed && !this.#held && this.#chunks.length === 0) return this.#deliver(chunk);
      const reader = this.#reader;
      if (reader) {
        this.#reader = undefined;
        reader.resolve(chunk);
        return;
      }
      this.#chunks.push(chunk);
      socket.pause();
    });
    socket.on("end", () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on("error", (error) => {
      this.#error ??= denoError(error);
      this.#wake();
    });
    socket.on("close", () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on("drain", () => this.#settleWriters());
    // A connection that waited in the accept queue was paused there.
    socket.resume();
  }

  read(): Promise<Uint8Array | null> {
    const chunk = this.#chunks.shift();
    if (chunk !== undefined) {
      if (this.#chunks.length === 0 && !this.#closed) this.#socket.resume();
      return Promise.resolve(chunk);
    }
    if (this.#closed) return Promise.reject(closedError());
    if (this.#error) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => this.#reader = { resolve, reject });
  }

  feed(sink: ChunkSink): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#feed = { sink, resolve, reject };
      this.#flush();
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    if (this.#error) return Promise.reject(this.#error);
    if (this.#socket.write(bytes)) return WRITTEN;
    return new Promise((resolve, reject) => this.#drainWaiters.push({ resolve, reject }));
  }

  closeWrite(): Promise<void> {
    return new Promise((resolve) => this.#socket.end(resolve));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake();
    const socket = this.#socket;
    if (socket.writableLength === 0) {
      socket.destroy();
      return;
    }
    // Let what was written reach the peer, but never wait on a peer that does not read.
    const timer = setTimeout(() => socket.destroy(), CLOSE_FLUSH_MS);
    socket.end(() => {
      clearTimeout(timer);
      socket.destroy();
    });
  }

  /** Hands one chunk to the feed's sink; while the sink holds it, the socket is paused. */
  #deliver(chunk: Uint8Array): void {
    let held: Promise<void> | undefined;
    try {
      held = this.#feed!.sink(chunk);
    } catch (error) {
      return this.#endFeed(error instanceof Error ? error : new Error(String(error)));
    }
    if (held === undefined) return;
    this.#held = true;
    this.#socket.pause();
    held.then(() => {
      this.#held = false;
      this.#flush();
    }, (error) => this.#endFeed(error));
  }

  /** Feeds what waited, then resumes the socket, or ends the feed at the end of the stream. */
  #flush(): void {
    while (this.#feed && !this.#held) {
      const chunk = this.#chunks.shift();
      if (chunk === undefined) break;
      this.#deliver(chunk);
    }
    if (!this.#feed || this.#held || this.#chunks.length > 0) return;
    if (this.#closed) this.#endFeed(closedError());
    else if (this.#error) this.#endFeed(this.#error);
    else if (this.#ended) this.#endFeed();
    else if (this.#socket.isPaused()) this.#socket.resume();
  }

  #endFeed(error?: Error): void {
    const feed = this.#feed;
    this.#feed = undefined;
    if (error) feed?.reject(error);
    else feed?.resolve();
  }

  /** Settles a waiting read or feed, and waiting writes, after an end, an error or a close. */
  #wake(): void {
    const reader = this.#reader;
    if (reader) {
      this.#reader = undefined;
      if (this.#closed) reader.reject(closedError());
      else if (this.#error) reader.reject(this.#error);
      else if (this.#chunks.length === 0) reader.resolve(null);
    }
    // A close here ends the feed at once, whatever it holds; an end waits for the sink.
    if (this.#closed) this.#endFeed(closedError());
    else if (!this.#held) this.#flush();
    if (this.#closed || this.#error) this.#settleWriters();
  }

  #settleWriters(): void {
    const waiters = this.#drainWaiters;
    if (waiters.length === 0) return;
    this.#drainWaiters = [];
    const failure = this.#closed ? closedError() : this.#error;
    for (const waiter of waiters) failure ? waiter.reject(failure) : waiter.resolve();
  }
}

/**
 * A `node:net` server as a pull-based listener. Deno's `node:net` accepts natively, many
 * connections at a time, and once an accept fails for want of descriptors it stops
 * accepting for good, silently (seen with Deno 2.9.6 under `prlimit --nofile`). So this
 * listener keeps its connections within a budget of descriptors: beyond it, new connections
 * are reset and the next `accept` fails as EMFILE would (the accept loop warns and pauses);
 * and once that happened and half the budget is free again, it reopens its server, since
 * the native accept may have died meanwhile.
 */
class NodeListener implements Listener {
  readonly hostname: string;
  readonly port: number;
  #open: () => Promise<net.Server>;
  #server: net.Server;
  #queue: net.Socket[] = [];
  #held = 0;
  #budget: number;
  /** The exhaustion count when the server was opened. */
  #openedAt: number;
  #check: ReturnType<typeof setInterval>;
  #overBudget: Error | undefined;
  #closed = false;
  #waiter: { resolve(conn: Conn): void; reject(error: Error): void } | undefined;

  constructor(open: () => Promise<net.Server>, server: net.Server, budget: number) {
    this.#open = open;
    this.#server = server;
    this.#budget = budget;
    const addr = server.address() as net.AddressInfo;
    this.hostname = addr.address;
    this.port = addr.port;
    this.#openedAt = Atomics.load(exhaustions, 0);
    this.#attach(server);
    this.#check = setInterval(() => this.#reopenIfExhausted(), EXHAUSTION_CHECK_MS);
    Deno.unrefTimer(this.#check);
  }

  #attach(server: net.Server): void {
    server.on("connection", (socket: net.Socket) => {
      // A connection reset before it reached us costs nothing but its closed socket.
      socket.on("error", () => {});
      if (this.#held >= this.#budget) {
        socket.destroy();
        this.#refuse();
        return;
      }
      this.#held++;
      socket.once("close", () => this.#held--);
      const waiter = this.#waiter;
      if (waiter) {
        this.#waiter = undefined;
        waiter.resolve(new NodeConn(socket));
      } else if (!this.#closed) {
        // Node accepts whatever the kernel queues, so this queue stands in for the backlog;
        // the descriptor budget bounds it.
        socket.pause();
        this.#queue.push(socket);
      } else {
        socket.destroy();
      }
    });
  }

  /** Reopens the server once an exhaustion happened since it opened and half the budget is free. */
  #reopenIfExhausted(): void {
    const count = Atomics.load(exhaustions, 0);
    if (count === this.#openedAt || this.#closed || this.#held > this.#budget / 2) return;
    this.#openedAt = count;
    const old = this.#server;
    old.removeAllListeners("connection");
    old.close();
    this.#open().then((server) => {
      if (this.#closed) return server.close();
      this.#server = server;
      this.#attach(server);
    }, () => {
      // The port could not be taken back: try again at the next check.
      this.#openedAt = -1;
    });
  }

  accept(): Promise<Conn> {
    const refused = this.#overBudget;
    if (refused !== undefined) {
      this.#overBudget = undefined;
      return Promise.reject(refused);
    }
    const socket = this.#queue.shift();
    if (socket !== undefined) return Promise.resolve(new NodeConn(socket));
    if (this.#closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => this.#waiter = { resolve, reject });
  }

  /** Tells the accept loop, once per pause, that connections are being reset. */
  #refuse(): void {
    Atomics.add(exhaustions, 0, 1);
    const error = Object.assign(
      new Error(
        `Too many open files: ${this.#budget} connections held, the share of the open-file limit this listener may use; new connections are reset until some close`,
      ),
      { code: "EMFILE" },
    );
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter) waiter.reject(error);
    else this.#overBudget ??= error;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#check);
    this.#server.close();
    for (const socket of this.#queue.splice(0)) socket.destroy();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(closedError());
  }
}

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
