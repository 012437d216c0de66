/**
 * Notices members that stopped responding: a Web Worker stuck in a loop, a child stopped with
 * SIGSTOP. Every member message counts as a sign of life (members send a heartbeat every
 * {@link HEARTBEAT_MS} besides); a member silent for {@link SILENCE_LIMIT_MS} is idle by the
 * servers' {@link DeadlineWatch} and is killed, so the supervisor replaces it and counts its
 * connections lost.
 *
 * @module
 */

import { DeadlineWatch, type Watched } from "../lib/server/deadline_watch.ts";
import { HEARTBEAT_MS, type Member } from "./_member.ts";

/**
 * Silence after which a member is taken for dead: many missed heartbeats, not one late one
 * (a parent busy relaying a flood on a loaded machine reads its members' messages late).
 */
export const SILENCE_LIMIT_MS = 12 * HEARTBEAT_MS;

/** Watches members' signs of life. */
export class HeartbeatWatch {
  #deadlines: DeadlineWatch;
  #watched = new Map<Member, Watched>();
  #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#deadlines = new DeadlineWatch({ idleMs: SILENCE_LIMIT_MS, requestMs: 0 }, now);
    this.#now = now;
  }

  /** Starts watching `member`, as heard from now. */
  watch(member: Member): void {
    this.forget(member);
    const watched = this.#deadlines.watch(() => {
      this.#watched.delete(member);
      const silentS = (this.#now() - watched.lastActive) / 1000;
      member.kill(`stopped responding (no heartbeat for ${silentS.toFixed(1)} s)`);
    });
    this.#watched.set(member, watched);
  }

  /** Notes a message from `member`. */
  heard(member: Member): void {
    const watched = this.#watched.get(member);
    if (watched) this.#deadlines.touch(watched, false);
  }

  /** Stops watching `member` (it ended). */
  forget(member: Member): void {
    const watched = this.#watched.get(member);
    if (!watched) return;
    this.#watched.delete(member);
    this.#deadlines.forget(watched);
  }
}
