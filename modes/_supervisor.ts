/**
 * The parent side of `thr` and `proc`: a pool of members sharing the port (`--workers N`), or
 * one member per accepted connection with its bytes relayed (`--workers 0`). Members' events
 * are forwarded as they come; a member that dies is reported and, in a pool, replaced; the
 * run resolves only when every member has ended, so no record is lost at shutdown.
 *
 * @module
 */

import { listenTcp, probePort } from "../lib/net/listen.ts";
import {
  type Mode,
  type ModeOptions,
  type ServerEvent,
  ServerStartError,
} from "../lib/server/server_spec.ts";
import { type ConnectionRecord, epochNow } from "../lib/server/session.ts";
import { acceptLoop } from "../lib/server/accept_loop.ts";
import { SampleStats } from "../lib/stats/sample_stats.ts";
import { plural } from "../lib/cli/units.ts";
import type {
  ConnectionProgress,
  Member,
  MemberFactory,
  MemberMessage,
  WireRecord,
} from "./_member.ts";

/** A mode whose connections are served by members that `spawn` starts. */
export function supervisedMode(
  name: string,
  description: string,
  memberName: { one: string; many: string },
  spawn: MemberFactory,
): Mode {
  return {
    name,
    description,
    layout: (workers) =>
      workers === 0
        ? `one ${memberName.one} per connection`
        : `pool of ${plural(workers, memberName.one, memberName.many)}`,
    run: (options, signal) =>
      options.workers === 0
        ? perConnection(options, signal, spawn, memberName.one)
        : pool(options, signal, spawn, memberName.one),
  };
}

async function pool(
  options: ModeOptions,
  signal: AbortSignal,
  spawn: MemberFactory,
  memberName: string,
): Promise<void> {
  const port = probePort(options.host, options.port);
  const spec = { ...stripEvents(options), port, maxConnections: 0 };

  const members = new Set<Member>();
  const endings: Promise<void>[] = [];
  let opened = 0;
  let stopping = false;
  let paused = false;
  let startFailure: string | undefined;
  let readyCount = 0;
  let announce!: () => void;
  const allReady = new Promise<void>((resolve) => announce = resolve);

  const broadcast = (type: "stop" | "pause") => {
    for (const member of members) member.send({ type });
  };
  const start = (index: number, replacing: boolean) => {
    const worker = `${memberName} ${index}`;
    const connections = openConnections(options, worker);
    let listening = false;
    const member = spawn({ role: "pool", spec, worker }, (message: MemberMessage) => {
      switch (message.type) {
        case "listening":
          listening = true;
          options.onEvent({ type: "status", message: `${message.worker ?? worker} listening` });
          if (stopping) member.send({ type: "stop" });
          else if (paused) member.send({ type: "pause" });
          if (!replacing && ++readyCount === options.workers) announce();
          return;
        case "failed":
          startFailure ??= `${worker}: ${message.message}`;
          announce();
          return;
        case "done":
          return;
        case "progress":
          connections.progress(message);
          return;
        case "open":
          opened++;
          if (options.maxConnections > 0 && opened >= options.maxConnections && !paused) {
            paused = true;
            broadcast("pause");
          }
      }
      connections.forward(message);
    });
    members.add(member);
    endings.push(member.ended.then(({ failure }) => {
      members.delete(member);
      if (failure === undefined) return;
      if (!listening) {
        startFailure ??= `${worker} could not start: ${failure}`;
        announce();
        return;
      }
      const replace = !stopping && !paused;
      const lost = connections.lose();
      options.onEvent({
        type: "warning",
        message: `${worker} died (${failure}) with ${plural(lost, "connection")} open${
          replace ? "; starting a replacement" : ""
        }`,
      });
      if (replace) start(index, true);
    }));
  };

  for (let i = 1; i <= options.workers; i++) start(i, false);
  await allReady;
  const onStop = () => {
    stopping = true;
    broadcast("stop");
  };
  if (startFailure !== undefined) {
    onStop();
    await settle(endings);
    throw new ServerStartError(startFailure);
  }
  options.onEvent({ type: "listening", hostname: options.host, port });
  if (signal.aborted) onStop();
  signal.addEventListener("abort", onStop, { once: true });
  await settle(endings);
  signal.removeEventListener("abort", onStop);
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

async function perConnection(
  options: ModeOptions,
  signal: AbortSignal,
  spawn: MemberFactory,
  memberName: string,
): Promise<void> {
  const listener = listenTcp(options.host, options.port);
  options.onEvent({
    type: "listening",
    hostname: listener.addr.hostname,
    port: listener.addr.port,
  });
  const spec = stripEvents(options);
  let count = 0;
  await acceptLoop([listener], options, signal, async (conn, peer, openedAt) => {
    const worker = `${memberName} #${++count}`;
    const connections = openConnections(options, worker);
    connections.forward({ type: "open", peer, worker, at: openedAt }, false);
    const member = spawn(
      { role: "conn", spec, worker, peer, openedAt },
      (message) => {
        if (message.type === "progress") connections.progress(message);
        else if (message.type !== "done" && message.type !== "failed") {
          connections.forward(message);
        }
      },
      conn,
    );
    const { failure } = await member.ended;
    if (failure !== undefined) {
      connections.lose();
      options.onEvent({ type: "warning", message: `${worker} for ${peer} died (${failure})` });
    }
  }, { sequential: false, worker: "main" });
}

/**
 * Forwards one member's events while remembering which of its connections are open, so that
 * when the member dies they are reported as lost rather than vanishing from the counts. The
 * inter-arrival statistics of a connection arrive in parts (each progress report, then the
 * close record) and are merged here.
 */
function openConnections(options: ModeOptions, worker: string) {
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
        if (emit) options.onEvent({ type: "close", record: { ...event.record, gaps } });
        return;
      }
      if (event.type === "open") {
        open.set(event.peer, {
          peer: event.peer,
          worker,
          openedAt: event.at,
          closedAt: event.at,
          messages: 0,
          bytesIn: 0,
          bytesOut: 0,
          gaps: new SampleStats(),
          oversized: 0,
          end: "lost",
        });
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

function stripEvents(options: ModeOptions) {
  const { onEvent: _onEvent, ...spec } = options;
  return spec;
}
