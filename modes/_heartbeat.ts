/**
 * Notices members that stopped responding: a Web Worker stuck in a loop, a child stopped with
 * SIGSTOP. Every member message counts as a sign of life (members send a heartbeat every
 * {@link HEARTBEAT_MS} besides); one interval looks at all members and kills those silent for
 * {@link SILENCE_LIMIT_MS}, so the supervisor replaces them and counts their connections lost.
 *
 * @module
 */

import { HEARTBEAT_MS, type Member } from "./_member.ts";

/**
 * Silence after which a member is taken for dead: many missed heartbeats, not one late one
 * (a parent busy relaying a flood on a loaded machine reads its members' messages late).
 */
export const SILENCE_LIMIT_MS = 12 * HEARTBEAT_MS;

/** Watches members' signs of life. */
export class HeartbeatWatch {
  #lastHeard = new Map<Member, number>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Starts watching `member`, as heard from now. */
  watch(member: Member): void {
    this.#lastHeard.set(member, this.#now());
    this.#timer ??= setInterval(() => this.sweep(), HEARTBEAT_MS);
  }

  /** Notes a message from `member`. */
  heard(member: Member): void {
    if (this.#lastHeard.has(member)) this.#lastHeard.set(member, this.#now());
  }

  /** Stops watching `member` (it ended). */
  forget(member: Member): void {
    this.#lastHeard.delete(member);
    if (this.#lastHeard.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Kills every member silent for longer than {@link SILENCE_LIMIT_MS}. */
  sweep(): void {
    const now = this.#now();
    for (const [member, at] of this.#lastHeard) {
      const silentMs = now - at;
      if (silentMs <= SILENCE_LIMIT_MS) continue;
      this.#lastHeard.delete(member);
      member.kill(`stopped responding (no heartbeat for ${(silentMs / 1000).toFixed(1)} s)`);
    }
  }
}
