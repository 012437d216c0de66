/**
 * Hostile conditions, item 7 of issue 28: a peer's control bytes must not reach the operator's
 * terminal. With `--verbose` every server prints each message it receives; ESC and BEL in one
 * (an OSC sequence retitles the terminal, `ESC [2J` clears it) must come out as `\x1b` and
 * `\x07`, in every variant and in the task server, whose lines quote the reply too.
 *
 * @module
 */

import assert from "node:assert/strict";
import { LineReader } from "../../lib/protocols/line_reader.ts";
import { writeAll } from "../../lib/net/write_all.ts";
import { SERVE, TASK_SERVE } from "../support.ts";
import { stopWithin, tail, withServer } from "../support/server_guard.ts";
import { inEachVariant, VARIANTS } from "../support/variants.ts";

const HOST = "127.0.0.1";
const HOSTILE = "x\x1b]0;pwned-title\x07\x1b[2J";
const ESCAPED = String.raw`x\x1b]0;pwned-title\x07\x1b[2J`;
// deno-lint-ignore no-control-regex
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;

/**
 * Sends `line` to a timestamp server (`greeting`: it greets and answers nothing) or a task
 * server (it answers the line).
 */
async function sendLine(port: number, line: string, greeting: boolean): Promise<void> {
  const conn = await Deno.connect({ hostname: HOST, port });
  try {
    const reader = new LineReader(conn);
    if (greeting) await reader.readLine();
    await writeAll(conn, new TextEncoder().encode(line + "\n"));
    if (!greeting) await reader.readLine();
  } finally {
    conn.close();
  }
}

Deno.test("serve --verbose escapes a peer's control bytes in every variant", async (t) => {
  await inEachVariant(
    t,
    VARIANTS,
    (variant) =>
      withServer([...SERVE, "--verbose", ...variant.args], async (server) => {
        await sendLine(server.port, `3|${HOSTILE}`, true);
        await server.waitFor(/^Sentence ".*" received from /);
        const { stdout, stderr } = await stopWithin(server, "SIGTERM", 10_000);
        assert.doesNotMatch(stdout + stderr, RAW_CONTROL, tail(stdout));
        assert.ok(stdout.includes(`Sentence "3|${ESCAPED}" received from`), tail(stdout));
      }),
  );
});

Deno.test("task-serve --verbose escapes a peer's control bytes in the message and the reply", async () => {
  await withServer([...TASK_SERVE, "--verbose"], async (server) => {
    await sendLine(server.port, `3|${HOSTILE}`, false);
    await server.waitFor(/^Sending response to /);
    const { stdout, stderr } = await stopWithin(server, "SIGTERM", 10_000);
    assert.doesNotMatch(stdout + stderr, RAW_CONTROL, tail(stdout));
    assert.ok(stdout.includes(`: 3|${ESCAPED}`), tail(stdout));
  });
});
