/**
 * Hostile conditions, item 1 of issue 28: a stalled parent. Ctrl-Z stops the whole server,
 * parent and members, and `fg` continues it; the parent's own stall must not count against
 * its members. Every supervised variant is stopped for 4 s (more than the 3 s a member may
 * be silent) with five connections open: after it is continued, each of them is answered
 * again, a new client is served, no member is declared dead, and the report counts every
 * message. Before the parent measured its own stall, every member was killed on `fg` and
 * replaced, the open connections were reset, and a `thr` pool reported `Messages: 0`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { LineReader } from "../../lib/protocols/line_reader.ts";
import { numberAfter, TASK_SERVE } from "../support.ts";
import { askWithin } from "../support/attacks.ts";
import { processTree, signalTree } from "../support/process_tree.ts";
import { stopWithin, tail, withServer } from "../support/server_guard.ts";
import { inEachVariant, VARIANTS } from "../support/variants.ts";
import { sleep, waitFor } from "../support/wait_for.ts";

const HOST = "127.0.0.1";
const OPEN = 5;
/** Longer than the silence after which a member is taken for dead (3 s). */
const STALL_MS = 4000;
const encoder = new TextEncoder();

/** Sends `3|<word>` on `conn` and reads the reply line, or null if none came in `timeoutMs`. */
async function ask(conn: Deno.TcpConn, reader: LineReader, word: string, timeoutMs: number) {
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    await conn.write(encoder.encode(`3|${word}\n`));
    return await reader.readLine();
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Continues every process of the tree, as `fg` does the process group. A walk of the tree can
 * miss a child: a thread of the server that ends as it is continued (an idle runtime thread
 * past its keep-alive) hands its children to another thread, so the tree is walked again
 * while any process in it is still stopped.
 */
async function continueTree(pid: number): Promise<void> {
  const stopped = (id: number) => {
    try {
      const stat = Deno.readTextFileSync(`/proc/${id}/stat`);
      return stat.slice(stat.lastIndexOf(")") + 2).startsWith("T");
    } catch {
      return false;
    }
  };
  await waitFor(() => {
    if (!processTree(pid).some(stopped)) return true;
    signalTree(pid, "SIGCONT");
    return false;
  }, { what: "every process of the server to run again" });
}

Deno.test("task-serve: a server stopped and continued (Ctrl-Z, fg) keeps its members and counts", async (t) => {
  await inEachVariant(
    t,
    VARIANTS.filter((variant) => /thr|proc/.test(variant.name)),
    (variant) =>
      withServer([...TASK_SERVE, ...variant.args], async (server) => {
        const held = await Promise.all(Array.from({ length: OPEN }, async () => {
          const conn = await Deno.connect({ hostname: HOST, port: server.port });
          const reader = new LineReader(conn);
          assert.equal(await ask(conn, reader, "abc", 10_000), "cba");
          return { conn, reader };
        }));
        signalTree(server.pid, "SIGSTOP");
        await sleep(STALL_MS);
        await continueTree(server.pid);
        const again = await Promise.all(
          held.map(({ conn, reader }) => ask(conn, reader, "de", 5000)),
        );
        assert.deepEqual(
          again,
          Array(OPEN).fill("ed"),
          `open connections lost on fg; server said:\n${server.lines(/(.*)/).slice(-8).join("\n")}`,
        );
        assert.equal((await askWithin(server.port, "3|xyz", 5000)).reply, "zyx");
        held.forEach(({ conn }) => conn.close());
        const { code, stdout, stderr } = await stopWithin(server, "SIGINT", 10_000);
        assert.equal(code, 0, `exit code ${code}; stderr:\n${tail(stderr)}`);
        assert.doesNotMatch(stderr, /died|stopped responding/);
        assert.equal(numberAfter(stdout, "Messages: "), 2 * OPEN + 1);
      }),
  );
});
