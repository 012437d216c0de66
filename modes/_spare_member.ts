/**
 * A spare member for the per-connection modes (`--workers 0`), as Apache's prefork keeps spare
 * servers: one member started ahead, so that a new connection is handed to a member that has
 * already started and loaded its modules (79–119 ms with nothing else running, up to 0.8 s
 * while another member takes a core: docs/notes/2026-12-07-stalls-and-expensive-peers.md) and is only told
 * whom it serves. The spare counts against `--max-conns`, and so against the memory and
 * descriptor budgets that bound it: members started never exceed the limit.
 *
 * @module
 */

import type { MemberFactory } from "./_member.ts";

/** A member started ahead of its connection. */
export interface PreparedMember {
  /** Hands it its connection: from then on it is a {@link Member} as any other. */
  start: MemberFactory;
  /** Ends it unused; resolves once it is gone. */
  discard(): Promise<void>;
  /**
   * False once it has ended by itself (a `proc` child killed by a signal sent to its process
   * group while it waited): it is then replaced rather than handed a connection.
   */
  usable?(): boolean;
}

/** Keeps at most one {@link PreparedMember} while fewer than `limit` members run. */
export class SpareMember {
  #prepare: () => PreparedMember;
  #limit: number;
  #spare: PreparedMember | undefined;
  #serving = 0;

  constructor(prepare: () => PreparedMember, limit: number) {
    this.#prepare = prepare;
    this.#limit = limit;
  }

  /** Starts the spare if there is none and the limit leaves room for it. */
  refill(): void {
    if (this.#spare || this.#serving + 1 > this.#limit) return;
    try {
      this.#spare = this.#prepare();
    } catch {
      // Out of descriptors or processes: the next connection starts its own member and
      // reports why if it cannot.
    }
  }

  /**
   * A member for a new connection: the spare if there is one, then a new spare behind it.
   * Each call is matched by one {@link release}, also when this throws.
   */
  take(): PreparedMember {
    this.#serving++;
    let spare = this.#spare;
    this.#spare = undefined;
    if (spare?.usable?.() === false) {
      void spare.discard();
      spare = undefined;
    }
    const member = spare ?? this.#prepare();
    this.refill();
    return member;
  }

  /** A connection taken has ended: its place may hold a spare again. */
  release(): void {
    this.#serving--;
    this.refill();
  }

  /** Ends the spare, and keeps none from now on. */
  async close(): Promise<void> {
    this.#limit = 0;
    const spare = this.#spare;
    this.#spare = undefined;
    await spare?.discard();
  }
}
