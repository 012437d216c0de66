/**
 * The task server's per-connection log, the reference's server log that SPEC has `task-serve`
 * print at shutdown: one line per connection, in the order they opened. It is kept in bounded
 * memory: a closed connection leaves its peer and five numbers (about 70 bytes), never its
 * record; past {@link CONNECTION_LOG_LIMIT} connections the rest are counted, and the log ends
 * by saying how many it left out and where to find them (`--csv` streams every connection's
 * row to a file as it closes). Keeping whole records, as before, grew the server by every
 * record of a client that connects in a loop.
 *
 * @module
 */

import type { ConnectionRecord } from "../server/session.ts";

/** How many connections the log lists: about 7 MB at most. */
export const CONNECTION_LOG_LIMIT = 100_000;

/** One connection's line of the log. */
export function formatConnectionLine(
  record: Pick<
    ConnectionRecord,
    "peer" | "openedAt" | "messages" | "bytesIn" | "bytesOut" | "closedAt"
  >,
): string {
  return `${record.peer} requests=${record.messages} bytes_in=${record.bytesIn} bytes_out=${record.bytesOut} duration_ms=${
    (record.closedAt - record.openedAt).toFixed(3)
  }`;
}

/** The numbers kept per connection, side by side in one array grown by doubling. */
const FIGURES = 5;

/** The log's connections as they close, kept for the first `limit` of them. */
export class ConnectionLog {
  readonly limit: number;
  #peers: string[] = [];
  /** openedAt, messages, bytesIn, bytesOut, closedAt of connection i at i * FIGURES. */
  #figures = new Float64Array(64 * FIGURES);
  #omitted = 0;

  constructor(limit = CONNECTION_LOG_LIMIT) {
    this.limit = limit;
  }

  /** How many connections it has heard of, listed or not. */
  get size(): number {
    return this.#peers.length + this.#omitted;
  }

  /** Notes one closed connection. */
  add(record: ConnectionRecord): void {
    const i = this.#peers.length;
    if (i >= this.limit) {
      this.#omitted++;
      return;
    }
    if ((i + 1) * FIGURES > this.#figures.length) {
      const grown = new Float64Array(this.#figures.length * 2);
      grown.set(this.#figures);
      this.#figures = grown;
    }
    this.#peers.push(record.peer);
    // Written in place: this runs for every connection that closes.
    const figures = this.#figures, at = i * FIGURES;
    figures[at] = record.openedAt;
    figures[at + 1] = record.messages;
    figures[at + 2] = record.bytesIn;
    figures[at + 3] = record.bytesOut;
    figures[at + 4] = record.closedAt;
  }

  /** The lines in the order their connections opened, and what was left out. */
  format(): string {
    const figures = this.#figures;
    const order = this.#peers.map((_, i) => i).sort((a, b) =>
      figures[a * FIGURES] - figures[b * FIGURES]
    );
    const lines = order.map((i) => {
      const [openedAt, messages, bytesIn, bytesOut, closedAt] = figures.subarray(
        i * FIGURES,
        (i + 1) * FIGURES,
      );
      return formatConnectionLine({
        peer: this.#peers[i],
        openedAt,
        messages,
        bytesIn,
        bytesOut,
        closedAt,
      });
    });
    if (this.#omitted > 0) {
      lines.push(
        `(${this.#omitted} more connections not listed: the log keeps the first ${this.limit} to close; --csv FILE lists every connection)`,
      );
    }
    return lines.join("\n");
  }
}
