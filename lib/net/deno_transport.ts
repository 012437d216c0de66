/**
 * The `deno` transport: `Deno.listen` and `Deno.connect`, each read into a buffer the
 * connection owns.
 *
 * @module
 */

import { type Conn, formatHostPort, type Listener, type Transport } from "./transport.ts";
import { encodeUtf8 } from "../protocols/utf8.ts";

const READ_BUFFER_BYTES = 16 * 1024;

class DenoConn implements Conn {
  readonly peer: string;
  #conn: Deno.TcpConn;
  #buffer: Uint8Array | undefined;

  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    const addr = conn.remoteAddr;
    this.peer = formatHostPort(addr.hostname, addr.port);
    try {
      conn.setNoDelay(true);
    } catch { /* reset already: the first read says so */ }
  }

  async read(): Promise<Uint8Array | null> {
    // Allocated on first use, so a connection that never sends costs no buffer.
    const buffer = this.#buffer ??= new Uint8Array(READ_BUFFER_BYTES);
    const n = await this.#conn.read(buffer);
    return n === null ? null : buffer.subarray(0, n);
  }

  async write(data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === "string" ? encodeUtf8(data) : data;
    let offset = 0;
    while (offset < bytes.length) offset += await this.#conn.write(bytes.subarray(offset));
  }

  closeWrite(): Promise<void> {
    return this.#conn.closeWrite();
  }

  close(): void {
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }
}

class DenoListener implements Listener {
  readonly hostname: string;
  readonly port: number;
  #listener: Deno.TcpListener;

  constructor(listener: Deno.TcpListener) {
    this.#listener = listener;
    this.hostname = listener.addr.hostname;
    this.port = listener.addr.port;
  }

  async accept(): Promise<Conn> {
    return new DenoConn(await this.#listener.accept());
  }

  close(): number {
    try {
      this.#listener.close();
    } catch { /* already closed */ }
    // Deno.listen takes a connection from the kernel only when accept asks for it.
    return 0;
  }
}

/** `Deno.listen` / `Deno.connect`. */
export const denoTransport: Transport = {
  name: "deno",
  // Fixed by Deno.listen.
  backlog: 511,
  listen({ host, port, reusePort = false }) {
    // Synchronous underneath: a failure rejects the returned promise.
    return Promise.resolve().then(() =>
      new DenoListener(Deno.listen({ hostname: host, port, reusePort, transport: "tcp" }))
    );
  },
  async connect(host, port, timeoutMs) {
    const connecting = Deno.connect({ hostname: host, port, transport: "tcp" });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Deno.errors.TimedOut("connect timed out")), timeoutMs);
    });
    try {
      return new DenoConn(await Promise.race([connecting, timeout]));
    } catch (error) {
      // A connection that completes after the deadline must not leak.
      connecting.then((conn) => conn.close(), () => {});
      throw error;
    } finally {
      clearTimeout(timer);
    }
  },
};
