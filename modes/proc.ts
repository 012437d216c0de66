/**
 * `proc`: subprocesses. A pool of `--workers N` copies of socklab, each accepting on the shared
 * port with `reusePort` and reporting its events as JSON lines on stdout; or (`--workers 0`)
 * one new process per connection, inetd style: the connection's reads are relayed to the
 * child's stdin as records, its replies come back on stdout, and its events as JSON lines on
 * stderr.
 *
 * @module
 */

import { CHILD_COMMAND, selfCommand } from "../lib/cli/self_command.ts";
import type { Conn } from "../lib/net/transport.ts";
import { closeQuietly } from "../lib/net/close_quietly.ts";
import { epochNow } from "../lib/stats/epoch_now.ts";
import { JsonLineWriter, readJsonLines } from "../lib/protocols/json_lines.ts";
import type { Member, MemberFactory } from "./_member.ts";
import { type MemberMessage, PARENT_SIGNALS, relayRecord } from "./_member_messages.ts";
import { processStopped } from "./_process_stopped.ts";
import { queuedPeers } from "../lib/net/queued_peers.ts";
import { eachMessage } from "./_message_batch.ts";
import type { PreparedMember } from "./_spare_member.ts";
import { supervisedMode } from "./_supervisor.ts";

/** A pool child: its start is its argument. */
const spawnChild: MemberFactory = (start, onMessage) =>
  startChild(spawnSelf([CHILD_COMMAND, JSON.stringify(start)], "inherit"), start, onMessage);

/**
 * A per-connection child started ahead: with no argument it loads its modules and waits for
 * its start, the first line on its stdin, which the relayed connection's records follow.
 */
function prepareChild(): PreparedMember {
  const child = spawnSelf([CHILD_COMMAND], "piped");
  let exited = false;
  void child.status.then(() => exited = true);
  return {
    start: (start, onMessage, conn) => startChild(child, start, onMessage, conn),
    usable: () => !exited,
    discard: async () => {
      try {
        child.kill("SIGKILL");
      } catch { /* already ended */ }
      await Promise.all([child.stdout.cancel(), child.stderr.cancel(), child.stdin.abort()]);
      await child.status;
    },
  };
}

/**
 * Starts a child of this program. On Unix it starts with SIGINT and the signals it leaves to
 * the parent already ignored (`sh`'s `trap ''` lasts through the `exec`): one sent to the whole
 * process group while the child still loads its modules, before its own listeners exist,
 * killed it, and with it the connection it was starting for (a spare child loads after every
 * connection).
 */
function spawnSelf(argv: string[], stderr: "piped" | "inherit"): Deno.ChildProcess {
  const self = selfCommand(argv);
  const ignored = ["INT", ...PARENT_SIGNALS.map((signal) => signal.slice(3))].join(" ");
  const { command, args } = Deno.build.os === "windows" ? self : {
    command: "/bin/sh",
    args: ["-c", `trap '' ${ignored}; exec "$0" "$@"`, self.command, ...self.args],
  };
  return new Deno.Command(command, { args, stdin: "piped", stdout: "piped", stderr }).spawn();
}

function startChild(
  child: Deno.ChildProcess,
  ...[start, onMessage, conn]: Parameters<MemberFactory>
): Member {
  const stdin = child.stdin.getWriter();
  // A child that died meanwhile fails its write, and its status reports why.
  if (conn) stdin.write(new TextEncoder().encode(`${JSON.stringify(start)}\n`)).catch(() => {});
  let done = false;
  const receive = (message: MemberMessage) => {
    if (message.type === "done") done = true;
    onMessage(message);
  };
  const onChildMessage = (value: unknown) =>
    eachMessage(value as MemberMessage | MemberMessage[], receive);
  const forwardText = (line: string) =>
    onMessage({ type: "warning", message: `${start.worker}: ${line}` });
  const events = conn
    ? Promise.all([
      readJsonLines(child.stderr, onChildMessage, forwardText),
      relay(conn, stdin, child.stdout),
    ])
    : readJsonLines(child.stdout, onChildMessage, forwardText);
  const control = new JsonLineWriter((bytes) => stdin.write(bytes));
  let killedFor: string | undefined;
  let queued: Promise<string[] | undefined> | undefined;
  // A pool child on the shared port has an accept queue that its death resets.
  const sharedPort = start.role === "pool" && start.reusePort ? start.spec.port : undefined;
  const member: Member = {
    send: (message) => {
      if (!conn) control.write(message);
    },
    kill: (reason) => {
      if (killedFor !== undefined) return;
      killedFor = reason;
      queued = sharedPort === undefined ? undefined : queuedPeers(child.pid, sharedPort);
      void (queued ?? Promise.resolve()).then(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* already ended */ }
        if (conn) closeQuietly(conn);
      });
    },
    ended: Promise.all([child.status, events]).then(async ([status]) => {
      if (done) return {};
      return {
        failure: killedFor ??
          (status.signal ? `killed by ${status.signal}` : `exited with code ${status.code}`),
        queued: await queued,
      };
    }),
  };
  if (sharedPort !== undefined) member.stopped = () => processStopped(child.pid);
  return member;
}

/**
 * Relays the client's reads to the child's stdin as records that keep each read's bytes and
 * arrival time (a pipe would merge reads, and the child would frame what the pipe batched),
 * and the child's stdout to the client. Each record waits for the pipe, which the child
 * stops reading while its window is full.
 */
async function relay(
  conn: Conn,
  stdin: WritableStreamDefaultWriter<Uint8Array>,
  stdout: ReadableStream<Uint8Array>,
): Promise<void> {
  const toChild = (async () => {
    let end: null | "reset" = null;
    try {
      for (let chunk = await conn.read(); chunk !== null; chunk = await conn.read()) {
        await stdin.write(relayRecord(chunk, epochNow()));
      }
    } catch (error) {
      // A reset is the client's doing and the child records it as one; anything else means
      // the connection was closed here once the child finished.
      if (error instanceof Deno.errors.ConnectionReset) end = "reset";
    }
    await stdin.write(relayRecord(end, epochNow())).catch(() => {});
    await stdin.close().catch(() => {});
  })();
  try {
    for await (const chunk of stdout) await conn.write(chunk);
  } catch { /* the client went away; the child sees its stdin end */ }
  closeQuietly(conn);
  await toChild;
}

/** The subprocess mode. */
// node:net's native accept stops for good, silently, when a child runs out of descriptors in
// a burst (RELIABILITY.md): children listen with Deno.listen, which reports it and recovers.
// A child per connection is a whole Deno process (60 MiB measured); the parent holds the
// socket, the child's three pipes and its process handle: 5 descriptors measured
// (/proc/self/fd, docs/notes/2026-12-07-descriptors-and-signals.md).
const costs = { bytesPerConnection: 60 * 2 ** 20, fdsPerConnection: 5, membersShareProcess: false };
const memberName = { one: "child", many: "children" };

/** The subprocess mode. */
export const procMode = supervisedMode(
  { name: "proc", memberName, poolIo: "deno", costs },
  "subprocesses: a pool sharing the port (--workers N) or one per connection (--workers 0)",
  spawnChild,
  prepareChild,
);
