/**
 * The entry of a `proc` child (`socklab __child '<start JSON>'`). A pool member takes `stop`
 * and `pause` as JSON lines on stdin (its end means stop) and reports on stdout; a
 * per-connection child serves the connection on stdin/stdout and reports on stderr.
 * SIGINT and SIGHUP are ignored: the parent decides when children stop, so a Ctrl-C or a
 * closed terminal that reaches the whole process group still lets every child drain and report.
 *
 * @module
 */

import { closeQuietly, writeAll } from "../lib/server/session.ts";
import { JsonLineWriter, readJsonLines } from "../lib/protocols/json_lines.ts";
import {
  memberControl,
  type MemberStart,
  type ParentMessage,
  runConnMember,
  runPoolMember,
} from "./_member.ts";

/** Runs the child described by `startJson`; resolves when it has reported everything. */
export async function runChild(startJson: string): Promise<void> {
  const start = JSON.parse(startJson) as MemberStart;
  Deno.addSignalListener("SIGINT", () => {});
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGHUP", () => {});
  if (start.role === "pool") {
    const out = new JsonLineWriter((bytes) => writeAll(Deno.stdout, bytes));
    const control = memberControl();
    void readJsonLines(
      Deno.stdin.readable,
      (message) => control.receive(message as ParentMessage),
      () => {},
    ).finally(() => control.receive({ type: "abandon" })); // stdin ends when the parent does
    await runPoolMember(
      start,
      `${start.worker} (pid ${Deno.pid})`,
      (m) => out.write(m),
      control,
    );
    await out.flushed();
    return;
  }
  const events = new JsonLineWriter((bytes) => writeAll(Deno.stderr, bytes));
  const buffer = new Uint8Array(16 * 1024);
  const duplex = {
    read: async () => {
      const n = await Deno.stdin.read(buffer);
      return n === null ? null : buffer.subarray(0, n);
    },
    write: (bytes: Uint8Array) => writeAll(Deno.stdout, bytes),
    close: () => {
      closeQuietly(Deno.stdout);
      closeQuietly(Deno.stdin);
    },
  };
  await runConnMember(
    { ...start, worker: `${start.worker} (pid ${Deno.pid})` },
    duplex,
    (m) => events.write(m),
  );
  await events.flushed();
}
