/**
 * A `node:net` socket behind the {@link Conn} seam. The socket reads on its own and pushes
 * chunks, through Node's `onread` callback (see `node_transport.ts`) or else its `data` event,
 * to a waiting `read` or straight to a {@link Conn.feed} sink; a connection keeps at
 * most one chunk nobody took before it pauses its socket, so a slow consumer holds the peer
 * back through TCP flow control instead of buffering. Writes report backpressure through
 * `drain`. Node's errors become the `Deno.errors` classes.
 *
 * @module
 */

import type * as net from "node:net";
import { type ChunkSink, type Conn, formatHostPort, WRITTEN } from "./transport.ts";

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
export function denoError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const code = (error as { code?: string }).code;
  const Kind = code === undefined ? undefined : ERRORS[code];
  if (Kind === undefined) return error;
  const mapped: Error = new Kind(error.message);
  Object.assign(mapped, { code });
  return mapped;
}

// One instance for every close: an error's stack trace costs more than the rest of a
// connection's close, and this one only ever says the connection was closed here.
const CLOSED = new Deno.errors.BadResource("The connection is closed");

/** The error of an operation on a connection or listener closed here. */
export const closedError = (): Error => CLOSED;

const CONN = Symbol("NodeConn");

/** A socket's remote end as `ip:port`, asked of the socket now. */
export function peerOf(socket: net.Socket): string {
  return formatHostPort(socket.remoteAddress ?? "unknown", socket.remotePort ?? 0);
}

/** One `node:net` socket as a {@link Conn}. */
export class NodeConn implements Conn {
  /** The connection of a socket, for callbacks the runtime calls on the socket. */
  static of(socket: net.Socket): NodeConn | undefined {
    return (socket as net.Socket & { [CONN]?: NodeConn })[CONN];
  }

  #peer: string | undefined;
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

  /**
   * `pushes` says the socket reads through Node's `onread` (see `node_transport.ts`), which
   * calls {@link receive} itself; a socket without it is read through its `data` event. A
   * `data` listener on an `onread` socket would never hear a byte, but adding it switches the
   * stream to flowing, which takes a tick and a read call per connection. `peer` is the
   * remote end where it is known already (see {@link peer}).
   */
  constructor(socket: net.Socket, pushes: boolean, peer?: string) {
    this.#socket = socket;
    this.#peer = peer;
    Object.defineProperty(socket, CONN, { value: this });
    socket.setNoDelay(true);
    // Listeners shared by every connection: closures of their own cost an allocation each,
    // five per connection, which add up under connection churn.
    if (!pushes) socket.on("data", NodeConn.#onData);
    socket.on("end", NodeConn.#onEnd);
    socket.on("error", NodeConn.#onError);
    socket.on("close", NodeConn.#onEnd);
    socket.on("drain", NodeConn.#onDrain);
  }

  /**
   * A client's connection asks on first use, which is never in a load generator: that saves a
   * `getpeername` call and a string per connection. A server's is given its peer at accept,
   * while the socket still knows it: a reset while the connection waits in the accept queue
   * destroys the socket and its address with it.
   */
  get peer(): string {
    return this.#peer ??= peerOf(this.#socket);
  }

  static #onData(this: net.Socket, chunk: Uint8Array): void {
    NodeConn.of(this)!.receive(chunk, false);
  }

  /** The end of the peer's stream, or the socket closed without one. */
  static #onEnd(this: net.Socket): void {
    const conn = NodeConn.of(this)!;
    conn.#ended = true;
    conn.#wake();
  }

  static #onError(this: net.Socket, error: Error): void {
    const conn = NodeConn.of(this)!;
    conn.#error ??= denoError(error);
    conn.#wake();
  }

  static #onDrain(this: net.Socket): void {
    NodeConn.of(this)!.#settleWriters();
  }

  /**
   * Takes bytes the socket read. `borrowed` bytes are only valid during the call (an `onread`
   * buffer): they are copied if kept. Returns false once the socket is paused, which is what an
   * `onread` callback returns to stop reading.
   */
  receive(chunk: Uint8Array, borrowed: boolean): boolean {
    if (this.#feed && !this.#held && this.#chunks.length === 0) {
      this.#deliver(chunk);
      return !this.#held;
    }
    const reader = this.#reader;
    const own = borrowed ? chunk.slice() : chunk;
    if (reader) {
      this.#reader = undefined;
      reader.resolve(own);
      return true;
    }
    this.#chunks.push(own);
    this.#socket.pause();
    return false;
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
    // A connection that waited in a long accept queue was paused there.
    if (this.#socket.isPaused()) this.#socket.resume();
    return new Promise((resolve, reject) => this.#reader = { resolve, reject });
  }

  feed(sink: ChunkSink): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#feed = { sink, resolve, reject };
      this.#flush();
    });
  }

  write(data: Uint8Array | string): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    if (this.#error) return Promise.reject(this.#error);
    if (this.#socket.write(data)) return WRITTEN;
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
      // Once the peer has ended, a shutdown sends this side's FIN and the descriptor closes
      // after it: under connection churn that cost half the CPU of a close(2) that sends the
      // FIN itself (BENCHMARKS.md section 4). With nothing to flush no deadline is needed.
      if (this.#ended && !this.#error) socket.end(() => socket.destroy());
      else socket.destroy();
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
    }, (error) => {
      this.#held = false;
      this.#endFeed(error);
    });
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
