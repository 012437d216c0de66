/**
 * A `node:net` server behind the {@link Listener} seam, kept within a budget of descriptors
 * (see {@link NodeListener}), and the descriptor-exhaustion counter its pool shares.
 *
 * @module
 */

import type * as net from "node:net";
import type { Conn, Listener } from "./transport.ts";
import { closedError, NodeConn, peerOf } from "./node_conn.ts";
import { acceptQueues } from "./accept_queues.ts";

/**
 * How many times a listener of this process ran out of its descriptor budget. Web Workers
 * share the process's open-file limit, so a pool's workers share this counter (see
 * {@link shareExhaustionCount}): one worker running out may have stopped another's native
 * accept, and every listener reopens once the count moves.
 */
let exhaustions: Int32Array = new Int32Array(new SharedArrayBuffer(4));

/**
 * The counter, for the parent to hand to the Web Workers that listen in its process
 * (`Transport.threadShared`).
 */
export function exhaustionCount(): Int32Array {
  return exhaustions;
}

/**
 * Makes this Web Worker's listeners count with the parent's counter
 * (`Transport.joinThreadShared`).
 */
export function shareExhaustionCount(shared: Int32Array): void {
  exhaustions = shared;
}

const ignore = () => {};

/** Resets a connection nobody will serve; it costs nothing but its closed socket. */
function resetQuietly(socket: net.Socket): void {
  socket.on("error", ignore);
  socket.destroy();
}

/**
 * How many queued connections may read before the accept loop takes them. A connection takes
 * at most one chunk nobody asked for before it pauses (see NodeConn), so these hold at most
 * this many chunks; the rest of a long queue are paused at once, as the backlog would hold
 * them. Pausing every queued connection cost a pause and a resume (two ops) for every
 * connection of a burst.
 */
const UNPAUSED_QUEUE = 64;

/** How often a listener looks at the counter. */
const EXHAUSTION_CHECK_MS = 200;

/**
 * A `node:net` server as a pull-based listener. Deno's `node:net` accepts natively, many
 * connections at a time, and once an accept fails for want of descriptors it stops
 * accepting for good, silently (seen with Deno 2.9.6 under `prlimit --nofile`). So this
 * listener keeps its connections within a budget of descriptors: beyond it, new connections
 * are reset and the next `accept` fails as EMFILE would (the accept loop warns and pauses);
 * and once that happened and half the budget is free again, it reopens its server, since
 * the native accept may have died meanwhile. The connections the dead accept left in the old
 * server's kernel queue are reset as it closes, and counted with those reset over the budget.
 */
export class NodeListener implements Listener {
  readonly hostname: string;
  readonly port: number;
  #open: () => Promise<net.Server>;
  #server: net.Server;
  #queue: Conn[] = [];
  #held = 0;
  #budget: number;
  /** Whether accepted sockets read through `onread` (see NodeConn). */
  #pushes: boolean;
  /** The exhaustion count when the server was opened. */
  #openedAt: number;
  #check: ReturnType<typeof setInterval>;
  #overBudget: Error | undefined;
  /**
   * Connections reset over the budget, or in the queue of a server closed to reopen it, and not
   * yet reported (on the next failed accept, as `shed`: one over the budget, or the close).
   */
  #shed = 0;
  #closed = false;
  /** Whether the server is being reopened (asking `ss` and closing take a while). */
  #reopening = false;
  #waiter: { resolve(conn: Conn): void; reject(error: Error): void } | undefined;

  constructor(
    open: () => Promise<net.Server>,
    server: net.Server,
    budget: number,
    pushes: boolean,
  ) {
    this.#open = open;
    this.#pushes = pushes;
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

  #release = () => this.#held--;

  #attach(server: net.Server): void {
    server.on("connection", (socket: net.Socket) => {
      if (this.#held >= this.#budget) {
        resetQuietly(socket);
        this.#refuse();
        return;
      }
      this.#held++;
      socket.on("close", this.#release);
      if (this.#queue.length >= UNPAUSED_QUEUE) socket.pause();
      const conn = new NodeConn(socket, this.#pushes, peerOf(socket));
      const waiter = this.#waiter;
      if (waiter) {
        this.#waiter = undefined;
        waiter.resolve(conn);
      } else if (!this.#closed) {
        // Node accepts whatever the kernel queues, so this queue stands in for the backlog;
        // the descriptor budget bounds it.
        this.#queue.push(conn);
      } else {
        conn.close();
      }
    });
  }

  /** Reopens the server once an exhaustion happened since it opened and half the budget is free. */
  #reopenIfExhausted(): void {
    const count = Atomics.load(exhaustions, 0);
    if (
      count === this.#openedAt || this.#closed || this.#reopening ||
      this.#held > this.#budget / 2
    ) return;
    this.#openedAt = count;
    this.#reopening = true;
    this.#reopen().finally(() => this.#reopening = false);
  }

  /**
   * Closes the server and opens another on the port. The kernel queues on the port are read
   * just before the close and after the reopen: the listening socket that is gone is the old
   * one (pool members share the port), and what waited in it was reset by the close, or by the
   * old server as it took it meanwhile. A connection queued between the first look and the
   * close is missed; where `ss` fails, all are. The old server's open connections stay served:
   * its `close` callback would wait for every one of them to end, so nothing waits for it.
   */
  async #reopen(): Promise<void> {
    const old = this.#server;
    const before = await acceptQueues(Deno.pid, this.port);
    old.removeAllListeners("connection");
    old.on("connection", resetQuietly);
    old.close();
    if (!this.#closed) {
      try {
        const server = await this.#open();
        if (this.#closed) server.close();
        else {
          this.#server = server;
          this.#attach(server);
        }
      } catch {
        // The port could not be taken back: try again at the next check.
        this.#openedAt = -1;
      }
    }
    const after = await acceptQueues(Deno.pid, this.port);
    for (const [inode, queued] of before ?? []) {
      if (after !== undefined && !after.has(inode)) this.#shed += queued;
    }
  }

  accept(): Promise<Conn> {
    const refused = this.#overBudget;
    if (refused !== undefined) {
      this.#overBudget = undefined;
      return Promise.reject(this.#withShed(refused));
    }
    const conn = this.#queue.shift();
    if (conn !== undefined) return Promise.resolve(conn);
    if (this.#closed) return Promise.reject(this.#closedError());
    return new Promise((resolve, reject) => this.#waiter = { resolve, reject });
  }

  /** Hands the count of connections reset since the last report to the error that reports it. */
  #withShed(error: Error): Error {
    const shed = this.#shed;
    this.#shed = 0;
    return Object.assign(error, { shed });
  }

  /** The error of an accept once closed, with the connections reset and not yet reported. */
  #closedError(): Error {
    // closedError() is one shared instance, so a count goes on a fresh error.
    if (this.#shed === 0) return closedError();
    return this.#withShed(new Deno.errors.BadResource("The listener is closed"));
  }

  /** Tells the accept loop, once per pause, that connections are being reset. */
  #refuse(): void {
    Atomics.add(exhaustions, 0, 1);
    this.#shed++;
    const error = Object.assign(
      new Error(
        `Too many open files: ${this.#budget} connections held, the share of the open-file limit this listener may use; new connections are reset until some close`,
      ),
      { code: "EMFILE" },
    );
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter) waiter.reject(this.#withShed(error));
    else this.#overBudget ??= error;
  }

  close(): number {
    if (this.#closed) return 0;
    this.#closed = true;
    clearInterval(this.#check);
    this.#server.close();
    const unserved = this.#queue.splice(0);
    for (const conn of unserved) conn.close();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(this.#closedError());
    return unserved.length;
  }
}
