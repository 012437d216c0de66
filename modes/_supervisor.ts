/**
 * The parent side of `thr` and `proc`: a pool of members sharing the port (`--workers N`), or
 * one member per accepted connection with its bytes relayed (`--workers 0`). Members' events
 * are forwarded as they come; a member that dies is reported and, in a pool, replaced; the
 * run resolves only when every member has ended, so no record is lost at shutdown.
 *
 * @module
 */

import { listenOn, type PortReservation, reservePort } from "../lib/net/listen.ts";
import type { IoName } from "../lib/net/transport.ts";
import { sharedPortSupported } from "../lib/net/shared_port.ts";
import { transportFor } from "../lib/net/transports.ts";
import type { Mode, ModeOptions, ServerEvent, ServerSpec } from "../lib/server/server_spec.ts";
import { ServerStartError } from "../lib/net/server_start_error.ts";
import { type ConnectionRecord, emptyRecord } from "../lib/server/session.ts";
import { epochNow } from "../lib/stats/epoch_now.ts";
import { closeQuietly } from "../lib/net/close_quietly.ts";
import { acceptLoop } from "../lib/server/accept_loop.ts";
import { SampleStats } from "../lib/stats/sample_stats.ts";
import { plural } from "../lib/cli/units.ts";
import { HeartbeatWatch } from "./_heartbeat.ts";
import { withinFdLimit } from "./_fd_budget.ts";
import type { Member, MemberEnd, MemberFactory } from "./_member.ts";
import type { ConnectionProgress, MemberMessage, WireRecord } from "./_member_messages.ts";
import { type PreparedMember, SpareMember } from "./_spare_member.ts";
import { listenProxy, MEMBER_HOST, type ProxyPool } from "./_proxy_pool.ts";

/** What a member costs the parent, for the default limits. */
export interface MemberCosts {
  /** Memory per connection served by its own member (measured, RELIABILITY.md). */
  bytesPerConnection: number;
  /** Descriptors the parent holds per connection relayed to its own member. */
  fdsPerConnection: number;
  /** Whether pool members share the parent's process, and so its open-file limit. */
  membersShareProcess: boolean;
}

/** A mode whose connections are served by members that `spawn` starts. */
export function supervisedMode(
  { name, memberName, poolIo, costs }: {
    name: string;
    /** What a member is called, for reports: `worker`/`workers`. */
    memberName: { one: string; many: string };
    /** The transport of pool members (per-connection modes use `deno`, see below). */
    poolIo: IoName;
    costs: MemberCosts;
  },
  description: string,
  spawn: MemberFactory,
  /** Starts a per-connection member ahead of its connection (`--workers 0`). */
  prepare: () => PreparedMember,
): Mode {
  return {
    name,
    description,
    // One member per connection: the parent only accepts and relays, and Deno.listen reports
    // a connection reset in the backlog at accept, where node:net would hand it on and a
    // member would be started for nothing.
    defaultIo: (workers) => workers === 0 ? "deno" : poolIo,
    layout: (workers) =>
      workers === 0
        ? `one ${memberName.one} per connection`
        : `pool of ${plural(workers, memberName.one, memberName.many)}`,
    servesOneAtATime: false,
    run: (options, signal) =>
      options.workers === 0
        ? perConnection(options, signal, prepare, memberName.one, costs)
        : pool(options, signal, spawn, memberName.one, costs),
  };
}

async function pool(
  options: ModeOptions,
  signal: AbortSignal,
  spawn: MemberFactory,
  memberName: string,
  costs: MemberCosts,
): Promise<void> {
  // Where reusePort does not spread connections, members listen on ports of their own
  // behind a relay in this process.
  const proxy = sharedPortSupported()
    ? undefined
    : await listenProxy(options, costs.membersShareProcess);
  const fdShare = (costs.membersShareProcess ? 1 / options.workers : 1) *
    (proxy?.memberFdShare ?? 1);
  await new Pool(options, spawn, memberName, fdShare, proxy).run(signal);
}

/**
 * Where a pool is in its life. `starting` until every member listens (or one could not
 * start, which stops the rest); then `serving`. `paused` at `--max-connections` or once the
 * relay ended: members stop accepting and end once idle. `stopping` on the run's signal:
 * members drain, then end. A member that dies while `starting` or `serving` is replaced.
 */
type PoolState = "starting" | "serving" | "paused" | "stopping";

/** One member of a {@link Pool}, as the pool keeps it. */
interface PoolMember {
  index: number;
  /** Its name in reports: `worker 2`. */
  worker: string;
  /** Whether it replaces one that died (a pool is ready once its first members listen). */
  replacing: boolean;
  listening: boolean;
  connections: ReturnType<typeof openConnections>;
}

/** A pool of members sharing the port (`--workers N`), from its start to its last member's end. */
class Pool {
  #state: PoolState = "starting";
  /** Whether members were told to pause; `--max-connections` tells them once. */
  #pauseSent = false;
  #options: ModeOptions;
  #spawn: MemberFactory;
  #memberName: string;
  #fdShare: number;
  #proxy: ProxyPool | undefined;
  #port: number;
  /** The shared port, held until the first members listen on it. */
  #reserved: PortReservation | undefined;
  #spec: ServerSpec;
  #members = new Set<Member>();
  #heartbeats = new HeartbeatWatch();
  /** Every member's ending, replacements' included: the run ends once all have settled. */
  #endings: Promise<void>[] = [];
  #opened = 0;
  /** First members listening, out of `--workers`. */
  #ready = 0;
  #startFailure: string | undefined;
  #announce!: () => void;
  /** Resolves once every first member listens, or one could not start. */
  #started = new Promise<void>((resolve) => this.#announce = resolve);

  /** `proxy`: the relay in front of the members, where `reusePort` does not spread connections. */
  constructor(
    options: ModeOptions,
    spawn: MemberFactory,
    memberName: string,
    fdShare: number,
    proxy: ProxyPool | undefined,
  ) {
    this.#options = options;
    this.#spawn = spawn;
    this.#memberName = memberName;
    this.#fdShare = fdShare;
    this.#proxy = proxy;
    if (proxy) this.#port = proxy.port;
    else {
      this.#reserved = reservePort(options.host, options.port);
      this.#port = this.#reserved.port;
    }
    this.#spec = {
      ...stripEvents(options),
      ...(proxy ? { host: MEMBER_HOST, port: 0 } : { port: this.#port }),
      maxConnections: 0,
    };
  }

  /** Starts the members and serves until `signal`; resolves once every member has ended. */
  async run(signal: AbortSignal): Promise<void> {
    const options = this.#options;
    const proxy = this.#proxy;
    for (let i = 1; i <= options.workers; i++) this.#start(i, false);
    await this.#started;
    this.#reserved?.release();
    if (this.#startFailure !== undefined) {
      this.#stop();
      proxy?.close();
      await settle(this.#endings);
      throw new ServerStartError(this.#startFailure);
    }
    if (this.#state === "starting") this.#state = "serving";
    if (proxy) {
      options.onEvent({
        type: "status",
        message: `relaying connections to the pool, whose members listen on loopback ports (${
          Deno.build.os === "linux"
            ? "SOCKLAB_SHARED_PORT=proxy"
            : `reusePort does not spread connections on ${Deno.build.os}`
        })`,
      });
    }
    options.onEvent({ type: "listening", hostname: options.host, port: this.#port });
    // The relay ends on a stop or at --max-connections; members then end once idle.
    const relaying = proxy?.serve(signal).then(() => this.#pause());
    const onStop = () => this.#stop();
    if (signal.aborted) onStop();
    signal.addEventListener("abort", onStop, { once: true });
    // Members close their connections now and report them, instead of draining.
    const onHurry = () => this.#broadcast("abandon");
    options.hurry?.addEventListener("abort", onHurry, { once: true });
    await Promise.all([settle(this.#endings), relaying]);
    signal.removeEventListener("abort", onStop);
    options.hurry?.removeEventListener("abort", onHurry);
  }

  #broadcast(type: "stop" | "pause" | "abandon"): void {
    for (const member of this.#members) member.send({ type });
  }

  #stop(): void {
    this.#state = "stopping";
    this.#broadcast("stop");
  }

  #pause(): void {
    if (this.#state === "starting" || this.#state === "serving") this.#state = "paused";
    this.#pauseSent = true;
    this.#broadcast("pause");
  }

  #start(index: number, replacing: boolean): void {
    const worker = `${this.#memberName} ${index}`;
    const one: PoolMember = {
      index,
      worker,
      replacing,
      listening: false,
      connections: openConnections(this.#options, worker),
    };
    const start = {
      role: "pool" as const,
      spec: this.#spec,
      worker,
      fdShare: this.#fdShare,
      reusePort: !this.#proxy,
    };
    const member = this.#spawn(start, (message) => this.#receive(member, one, message));
    this.#members.add(member);
    this.#endings.push(member.ended.then((end) => this.#ended(member, one, end)));
  }

  #receive(member: Member, one: PoolMember, message: MemberMessage): void {
    const options = this.#options;
    this.#heartbeats.heard(member);
    switch (message.type) {
      case "heartbeat":
        return;
      case "listening":
        one.listening = true;
        this.#heartbeats.watch(member);
        this.#proxy?.add(member, one.worker, message.port);
        options.onEvent({ type: "status", message: `${message.worker ?? one.worker} listening` });
        if (this.#state === "stopping") member.send({ type: "stop" });
        else if (this.#state === "paused") member.send({ type: "pause" });
        if (!one.replacing && ++this.#ready === options.workers) this.#announce();
        return;
      case "failed":
        this.#startFailure ??= `${one.worker}: ${message.message}`;
        this.#announce();
        return;
      case "done":
        return;
      case "progress":
        one.connections.progress(message);
        return;
      case "open":
        this.#opened++;
        if (
          options.maxConnections > 0 && this.#opened >= options.maxConnections && !this.#pauseSent
        ) {
          this.#pause();
        }
    }
    one.connections.forward(message);
  }

  #ended(member: Member, one: PoolMember, { failure, queued = [] }: MemberEnd): void {
    const options = this.#options;
    const { worker } = one;
    this.#members.delete(member);
    this.#heartbeats.forget(member);
    this.#proxy?.remove(member);
    if (failure === undefined) return;
    if (!one.listening) {
      this.#startFailure ??= `${worker} could not start: ${failure}`;
      this.#announce();
      return;
    }
    const replace = this.#state === "starting" || this.#state === "serving";
    const lost = one.connections.lose();
    // Accepted by the kernel, never by the member: counted as lost all the same.
    for (const peer of queued) {
      const at = epochNow();
      options.onEvent({ type: "open", peer, worker, at });
      options.onEvent({ type: "close", record: emptyRecord(peer, worker, at, "lost") });
    }
    const reset = queued.length > 0
      ? ` and ${plural(queued.length, "connection")} waiting in its accept queue (reset)`
      : "";
    options.onEvent({
      type: "warning",
      message: `${worker} died (${failure}) with ${plural(lost, "connection")} open${reset}${
        replace ? "; starting a replacement" : ""
      }`,
    });
    if (replace) this.#start(one.index, true);
  }
}

/** Waits for every ending, including those added while waiting (replacements). */
async function settle(endings: Promise<void>[]): Promise<void> {
  let seen = 0;
  while (seen < endings.length) {
    const batch = endings.slice(seen);
    seen = endings.length;
    await Promise.all(batch);
  }
}

/** Memory that per-connection members may take by default: an eighth of the machine's, at most 512 MiB. */
export function perConnectionBudget(totalMemory: number): number {
  return Math.min(512 * 2 ** 20, totalMemory / 8);
}

/**
 * The default `--max-conns` of a per-connection mode: as many members as fit in
 * {@link perConnectionBudget} at `bytesPerConnection` each (measured, RELIABILITY.md), so
 * that idle connections cannot take the machine or starve new clients; at least 8.
 */
export function perConnectionLimit(bytesPerConnection: number, totalMemory: number): number {
  return Math.max(8, Math.floor(perConnectionBudget(totalMemory) / bytesPerConnection));
}

async function perConnection(
  given: ModeOptions,
  signal: AbortSignal,
  prepare: () => PreparedMember,
  memberName: string,
  costs: MemberCosts,
): Promise<void> {
  const { bytesPerConnection } = costs;
  let options = given;
  if (options.maxConns === 0) {
    const total = Deno.systemMemoryInfo().total;
    const maxConns = perConnectionLimit(bytesPerConnection, total);
    options = { ...options, maxConns };
    options.onEvent({
      type: "status",
      message: `at most ${maxConns} connections at once (one ${memberName} each, about ${
        Math.round(bytesPerConnection / 2 ** 20)
      } MB, within ${Math.round(perConnectionBudget(total) / 2 ** 20)} MB of ${
        (total / 2 ** 30).toFixed(1)
      } GiB); others wait in the backlog; set --max-conns to change`,
    });
  }
  options = await withinFdLimit(options, costs.fdsPerConnection, memberName);
  const listener = await listenOn(transportFor(options.io), {
    host: options.host,
    port: options.port,
    fdShare: 1 / costs.fdsPerConnection,
  });
  options.onEvent({ type: "listening", hostname: listener.hostname, port: listener.port });
  const spec = stripEvents(options);
  const heartbeats = new HeartbeatWatch();
  let count = 0;
  const spare = new SpareMember(prepare, options.maxConns);
  spare.refill();
  try {
    await acceptLoop([listener], options, signal, async (conn, openedAt) => {
      const peer = conn.peer;
      const worker = `${memberName} #${++count}`;
      // On a hurry the parent closes the relayed connection: the member sees an orderly end.
      const connections = openConnections(options, worker, options.hurry);
      connections.forward({ type: "open", peer, worker, at: openedAt }, false);
      let member: Member;
      try {
        member = spare.take().start(
          { role: "conn", spec, worker, peer, openedAt },
          (message) => {
            heartbeats.heard(member);
            if (message.type === "progress") connections.progress(message);
            else if (
              message.type !== "done" && message.type !== "failed" && message.type !== "heartbeat"
            ) {
              connections.forward(message);
            }
          },
          conn,
        );
      } catch (error) {
        // Out of descriptors or processes despite the budget: this connection is lost, the
        // server goes on.
        spare.release();
        closeQuietly(conn);
        connections.lose();
        options.onEvent({
          type: "warning",
          message: `${worker} for ${peer} could not start (${
            error instanceof Error ? error.message : error
          })`,
        });
        return;
      }
      heartbeats.watch(member);
      const { failure } = await member.ended;
      heartbeats.forget(member);
      spare.release();
      if (failure !== undefined) {
        connections.lose();
        options.onEvent({ type: "warning", message: `${worker} for ${peer} died (${failure})` });
      }
    }, { sequential: false, worker: "main", abandon: options.hurry });
  } finally {
    await spare.close();
  }
}

/**
 * Forwards one member's events while remembering which of its connections are open, so that
 * when the member dies they are reported as lost rather than vanishing from the counts. The
 * inter-arrival statistics of a connection arrive in parts (each progress report, then the
 * close record) and are merged here.
 */
function openConnections(options: ModeOptions, worker: string, closedHere?: AbortSignal) {
  const open = new Map<string, ConnectionRecord>();
  return {
    forward(
      event: Exclude<ServerEvent, { type: "close" }> | { type: "close"; record: WireRecord },
      emit = true,
    ) {
      if (event.type === "close") {
        const gaps = SampleStats.fromJSON(event.record.gaps);
        const known = open.get(event.record.peer);
        if (known) gaps.merge(known.gaps);
        open.delete(event.record.peer);
        // An orderly end this process caused by closing its side is the server's shutdown.
        const end = closedHere?.aborted && event.record.end === "client"
          ? "shutdown"
          : event.record.end;
        if (emit) options.onEvent({ type: "close", record: { ...event.record, gaps, end } });
        return;
      }
      if (event.type === "open") {
        open.set(event.peer, emptyRecord(event.peer, worker, event.at, "lost"));
      }
      if (emit) options.onEvent(event);
    },
    /** Keeps the counts a member reported for an open connection. */
    progress(update: ConnectionProgress) {
      const record = open.get(update.peer);
      if (!record) return;
      record.messages = update.messages;
      record.bytesIn = update.bytesIn;
      record.bytesOut = update.bytesOut;
      record.oversized = update.oversized;
      record.gaps.merge(SampleStats.fromJSON(update.gaps));
    },
    /** Reports the open connections as lost, with their last counts; returns how many. */
    lose(): number {
      const closedAt = epochNow();
      for (const record of open.values()) {
        options.onEvent({ type: "close", record: { ...record, closedAt } });
      }
      const count = open.size;
      open.clear();
      return count;
    },
  };
}

/** The spec a member receives: what crosses a worker or process border. */
function stripEvents(options: ModeOptions) {
  const { onEvent: _onEvent, hurry: _hurry, ...spec } = options;
  return spec;
}
