/**
 * Notices members that stopped responding: a Web Worker stuck in a loop, a child stopped with
 * SIGSTOP. Every member message counts as a sign of life (members send a heartbeat every
 * {@link HEARTBEAT_MS} besides, and no request holds a member's event loop for more than the
 * session's work budget, so serving cannot starve it); a member silent for
 * {@link SILENCE_LIMIT_MS} is killed, so the supervisor replaces it and counts its
 * connections lost. A member that says it is stopped by a signal is killed sooner, after
 * {@link STOPPED_LIMIT_MS}: every connection the kernel queues for it meanwhile is reset.
 *
 * Silence is measured on the parent's own time: the watch looks every {@link HEARTBEAT_MS}
 * and takes however late its look comes as a stall of the parent (Ctrl-Z, a loaded machine,
 * a parent busy relaying), during which it could not have heard anyone. A parent stopped
 * for a minute therefore kills nobody when it is continued.
 *
 * @module
 */

import type { Member } from "./_member.ts";
import { HEARTBEAT_MS } from "./_member_messages.ts";

/**
 * Silence after which a member is taken for dead: many missed heartbeats, not one late one
 * (a member's event loop may run late on a loaded machine).
 */
export const SILENCE_LIMIT_MS = 12 * HEARTBEAT_MS;

/** Silence after which a member stopped by a signal is killed. */
export const STOPPED_LIMIT_MS = 2 * HEARTBEAT_MS;

/** Watches members' signs of life. */
export class HeartbeatWatch {
  #heard = new Map<Member, number>();
  /** Members being asked whether they are stopped. */
  #asking = new Set<Member>();
  #now: () => number;
  /** Time the parent itself was not running, as measured by the lateness of its looks. */
  #stalled = 0;
  #lastLook = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** The parent's own time: its clock less the stalls it measured. */
  #awake(): number {
    return this.#now() - this.#stalled;
  }

  /** Starts watching `member`, as heard from now. */
  watch(member: Member): void {
    this.#heard.set(member, this.#awake());
    if (this.#timer !== undefined) return;
    this.#lastLook = this.#now();
    this.#timer = setInterval(() => this.look(), HEARTBEAT_MS);
    // The watch alone must not keep a finished server alive.
    Deno.unrefTimer(this.#timer);
  }

  /** Notes a message from `member`. */
  heard(member: Member): void {
    if (this.#heard.has(member)) this.#heard.set(member, this.#awake());
  }

  /** Stops watching `member` (it ended). */
  forget(member: Member): void {
    this.#heard.delete(member);
    if (this.#heard.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /**
   * Measures the parent's stall since the last look and kills the members silent too long
   * on the parent's own time (the interval calls this).
   */
  look(): void {
    const now = this.#now();
    const late = now - this.#lastLook - HEARTBEAT_MS;
    this.#lastLook = now;
    // A late look also means the members' messages of the stall are still unread: a member
    // stopped with this process (Ctrl-Z) is judged from the next look on.
    const stalled = late > HEARTBEAT_MS;
    if (late > 0) this.#stalled += late;
    const awake = now - this.#stalled;
    for (const [member, heard] of this.#heard) {
      const silentMs = awake - heard;
      if (silentMs > SILENCE_LIMIT_MS) {
        this.#kill(member, `stopped responding (no heartbeat for ${seconds(silentMs)})`);
      } else if (!stalled && silentMs > STOPPED_LIMIT_MS) {
        this.#askStopped(member);
      }
    }
  }

  /** Kills `member` if it says it is stopped, unless this process stalled meanwhile. */
  #askStopped(member: Member): void {
    if (!member.stopped || this.#asking.has(member)) return;
    this.#asking.add(member);
    const stalledBefore = this.#stalled;
    void member.stopped().then((stopped) => {
      this.#asking.delete(member);
      const heard = this.#heard.get(member);
      // Stopped with this process (Ctrl-Z) while the answer came: both are running again.
      if (!stopped || heard === undefined || this.#stalled - stalledBefore > HEARTBEAT_MS) return;
      const silentMs = this.#awake() - heard;
      this.#kill(member, `stopped by a signal (no heartbeat for ${seconds(silentMs)})`);
    });
  }

  #kill(member: Member, reason: string): void {
    this.forget(member);
    member.kill(reason);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
