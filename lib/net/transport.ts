/**
 * The transport seam: the socket operations every server mode, the load generator and the
 * clients use, and nothing else. Two implementations sit behind it, `deno` (`Deno.listen` /
 * `Deno.connect`) and `node` (`node:net`), so that the code above never knows which socket
 * API carries its bytes (wrk's `struct sock` table is the model). Errors are the
 * `Deno.errors` classes whichever API raised them, so callers classify failures one way.
 *
 * @module
 */

/** The socket APIs socklab can run on, in the order help texts list them. */
export const IO_NAMES = ["deno", "node"] as const;

/** A socket API's name, as `--io` takes it. */
export type IoName = typeof IO_NAMES[number];

/**
 * What a connection pushes each chunk of the peer's bytes to (see {@link Conn.feed}). The
 * bytes are valid during the call. A returned promise holds further bytes back until it
 * settles; one that rejects ends the feed with its error.
 */
export type ChunkSink = (chunk: Uint8Array) => Promise<void> | undefined;

/**
 * The promise a {@link Conn.write} returns when the transport took every byte at once, so a
 * caller on the hot path can go on without waiting for a settled promise's turn.
 */
export const WRITTEN: Promise<void> = Promise.resolve();

/**
 * Feeds `source`'s bytes to `sink` until the peer's stream ends: pushed where the transport
 * can ({@link Conn.feed}), read by read otherwise, waiting out each hold.
 */
export function feed(source: Pick<Conn, "read" | "feed">, sink: ChunkSink): Promise<void> {
  // Handed on as it is: under connection churn every promise a connection makes is a cost.
  return source.feed ? source.feed(sink) : readInto(source, sink);
}

async function readInto(source: Pick<Conn, "read">, sink: ChunkSink): Promise<void> {
  for (let chunk = await source.read(); chunk !== null; chunk = await source.read()) {
    const held = sink(chunk);
    if (held) await held;
  }
}

/** One connected TCP stream. */
export interface Conn {
  /** The remote end as `ip:port` (IPv6 in brackets). */
  readonly peer: string;
  /**
   * The next bytes from the peer, or null once it has finished sending. The view belongs to
   * the transport and is valid until the next call. Rejects when the connection is reset, or
   * with `Deno.errors.BadResource` once it was closed here.
   */
  read(): Promise<Uint8Array | null>;
  /**
   * Sends every byte of `data`, which must not change until the promise settles; text goes
   * out as UTF-8, encoded by the transport (`node:net` encodes natively, where encoding in
   * JavaScript first would cost an allocation and two calls into the runtime per reply). It
   * resolves when the transport can take more, so awaiting each write bounds what a peer that
   * does not read can make this side buffer. Returns {@link WRITTEN} itself when the
   * transport took the bytes at once.
   */
  write(data: Uint8Array | string): Promise<void>;
  /**
   * Pushes the peer's bytes to `sink` as they arrive, instead of `read`, until the end of the
   * peer's stream (resolves) or a failure (rejects as `read` would). A transport whose
   * sockets push by nature offers it: the sink's reply goes out in the same turn as the
   * bytes that caused it, without a promise between them.
   */
  feed?(sink: ChunkSink): Promise<void>;
  /** Ends this side's sending (half-close); reading goes on. */
  closeWrite(): Promise<void>;
  /** Closes both directions; never throws. Bytes already written still go out. */
  close(): void;
}

/** A listening TCP socket. */
export interface Listener {
  readonly hostname: string;
  readonly port: number;
  /**
   * The next connection. Failures that belong to one connection (reset before it was
   * accepted) reject with that connection's error; once closed it rejects with
   * `Deno.errors.BadResource`.
   */
  accept(): Promise<Conn>;
  /**
   * Stops listening; a pending `accept` rejects with `Deno.errors.BadResource`. Returns how
   * many connections it had taken from the kernel for `accept` and now closes unserved (those
   * still in the kernel's queue are reset by the close, which no count here sees).
   */
  close(): number;
}

/** Where and how to listen. */
export interface ListenOptions {
  host: string;
  port: number;
  /** Share the port with other listeners (`SO_REUSEPORT`): pool members, accept queues. */
  reusePort?: boolean;
  /**
   * The share of this process's open-file limit that this listener's connections may hold
   * (default 1): a transport that cannot recover from running out of descriptors refuses
   * connections beyond it instead.
   */
  fdShare?: number;
}

/** A socket API. */
export interface Transport {
  readonly name: IoName;
  /** How many connects one listener queues before the kernel drops handshakes. */
  readonly backlog: number;
  listen(options: ListenOptions): Promise<Listener>;
  /** Connects, failing with `Deno.errors.TimedOut` after `timeoutMs`. */
  connect(host: string, port: number, timeoutMs: number): Promise<Conn>;
  /**
   * What this thread's listeners share with the other listening threads of the process, for
   * the parent to post to a Web Worker that listens (threads share the process's open-file
   * limit, so one thread running out may stop another's accepts); absent where they share
   * nothing.
   */
  threadShared?(): Int32Array;
  /** Makes this Web Worker's listeners share what its parent posted ({@link threadShared}). */
  joinThreadShared?(shared: Int32Array): void;
}

/** `ip:port`, with IPv6 addresses in brackets. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

const EXHAUSTION_CODES = new Set(["EMFILE", "ENFILE", "ENOBUFS", "ENOMEM"]);
// Linux errno values of the same, as `Deno.errors` messages end: "(os error 24)".
const EXHAUSTION_ERRNOS = /\(os error (24|23|105|12)\)/;

/**
 * Whether an accept failed because the process or system ran out of descriptors or memory,
 * which warrants a short pause; any other failure belongs to one connection and is only counted.
 */
export function isResourceExhaustion(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && EXHAUSTION_CODES.has(code)) return true;
  return EXHAUSTION_ERRNOS.test(error.message) || /too many open files/i.test(error.message);
}
