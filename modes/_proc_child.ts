/**
 * The entry of a `proc` child (`socklab __child '<start JSON>'`). A pool member takes `stop`
 * and `pause` as JSON lines on stdin (its end means stop) and reports on stdout; a
 * per-connection child serves the connection whose reads come as records on stdin (their end
 * without an end record means the parent is gone), replies on stdout and reports on stderr.
 * SIGINT, SIGHUP, SIGUSR1, SIGUSR2 and SIGALRM are ignored: the parent decides when children
 * stop, so a Ctrl-C, a closed terminal or a `kill` that reaches the whole process group still
 * lets every child drain and report.
 *
 * @module
 */

import { closeQuietly } from "../lib/net/close_quietly.ts";
import { writeAll } from "../lib/net/write_all.ts";
import { JsonLineWriter, readJsonLines } from "../lib/protocols/json_lines.ts";
import { memberControl, runConnMember, runPoolMember } from "./_member.ts";
import { type MemberStart, PARENT_SIGNALS, type ParentMessage } from "./_member_messages.ts";
import { concat, PushDuplex, pushRecords, RelayWindow } from "./_relay_duplex.ts";

/** Runs the child described by `startJson`; resolves when it has reported everything. */
export async function runChild(startJson: string | undefined): Promise<void> {
  Deno.addSignalListener("SIGINT", () => {});
  if (Deno.build.os !== "windows") {
    for (const signal of PARENT_SIGNALS) Deno.addSignalListener(signal, () => {});
  }
  // Without an argument this child was started ahead of its connection (_spare_member.ts).
  const ahead = startJson === undefined ? await firstLine(Deno.stdin.readable) : undefined;
  if (startJson === undefined && ahead === undefined) return; // discarded unused
  const start = JSON.parse(startJson ?? ahead!.line) as MemberStart;
  if (start.role === "pool") {
    const out = new JsonLineWriter((bytes) => writeAll(Deno.stdout, bytes));
    endOnceWritten(() => out.flushed());
    const control = memberControl();
    void readJsonLines(
      Deno.stdin.readable,
      (message) => control.receive(message as ParentMessage),
      () => {},
    ).finally(() => control.receive({ type: "abandon" })); // stdin ends when the parent does
    await runPoolMember(
      start,
      `${start.worker} (pid ${Deno.pid})`,
      (messages) => out.write(messages),
      control,
    );
    await out.flushed();
    return;
  }
  const events = new JsonLineWriter((bytes) => writeAll(Deno.stderr, bytes));
  const window = new RelayWindow();
  const duplex: PushDuplex = new PushDuplex(
    (bytes) =>
      writeAll(Deno.stdout, bytes).then(() => duplex.written(true), () => duplex.written(false)),
    (bytes) => window.release(bytes),
    () => {
      closeQuietly(Deno.stdout);
      closeQuietly(Deno.stdin);
    },
  );
  void pushRecords(ahead?.rest ?? Deno.stdin.readable, duplex, window);
  await runConnMember(
    { ...start, worker: `${start.worker} (pid ${Deno.pid})` },
    duplex,
    (m) => events.write(m),
  );
  await events.flushed();
}

/**
 * Lets an uncaught error end this child only once what it reported is written: the member's
 * last batch, posted as the error is dispatched (see `runPoolMember`), would otherwise end
 * with the process before its write completes.
 */
function endOnceWritten(written: () => Promise<void>): void {
  let ending = false;
  const defer = (event: ErrorEvent | PromiseRejectionEvent) => {
    if (ending) return;
    ending = true;
    event.preventDefault();
    const error = event instanceof ErrorEvent ? event.error : event.reason;
    // A microtask: after the dispatch's later listeners, which post the last batch.
    queueMicrotask(() =>
      void written().then(() => {
        throw error;
      })
    );
  };
  globalThis.addEventListener("error", defer);
  globalThis.addEventListener("unhandledrejection", defer);
}

/**
 * The first line of `stream` and a stream of what follows it; undefined if the stream ends
 * first. The line is the parent's (a start), so it is not bounded here.
 */
async function firstLine(
  stream: ReadableStream<Uint8Array>,
): Promise<{ line: string; rest: ReadableStream<Uint8Array> } | undefined> {
  const reader = stream.getReader();
  let held: Uint8Array = new Uint8Array(0);
  for (let newline = -1; newline < 0; newline = held.indexOf(10)) {
    const { value, done } = await reader.read();
    if (done) return undefined;
    held = concat(held, value);
  }
  const newline = held.indexOf(10);
  let left: Uint8Array | undefined = held.subarray(newline + 1);
  const rest = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (left?.length) {
        controller.enqueue(left);
        left = undefined;
        return;
      }
      left = undefined;
      const { value, done } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { line: new TextDecoder().decode(held.subarray(0, newline)), rest };
}
