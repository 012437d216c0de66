/**
 * Hostile peers, item 3 of issue 9: a client that writes requests and never reads its replies.
 * In every variant the server's memory (its whole process tree) must stop growing once its
 * buffers are full: after the attack's first second it grows by less than 20 MB while the
 * client keeps writing, and by less than 64 MB in all. (The first second is judged apart
 * because a V8 heap that merely resizes its young generation grows once by up to 33 MB,
 * measured in the variants whose buffering is bounded.) After SIGINT the server must end
 * within its drain time, and the `bytes_out` it reports for that client must be bytes it
 * handed to the socket, not replies queued in the server that the client never read.
 *
 * @module
 */

import assert from "node:assert/strict";
import { writeAll } from "../../lib/net/write_all.ts";
import { TASK_SERVE } from "../support.ts";
import { drainBytes } from "../support/attacks.ts";
import { mib, treeRssBytes } from "../support/process_tree.ts";
import { stopWithin, tail, withServer } from "../support/server_guard.ts";
import { inEachVariant, VARIANTS } from "../support/variants.ts";
import { sleep, waitForSteady } from "../support/wait_for.ts";

const HOST = "127.0.0.1";
const GROWTH_BOUND = 20 * 2 ** 20;
/** The bound plus the heap's one-time resize, rounded up. */
const TOTAL_GROWTH_BOUND = 64 * 2 ** 20;
/** Past this growth over the baseline the attack stops early: the machine is shared. */
const GROWTH_ABORT = 200 * 2 ** 20;
const WARM_UP_BYTES = 4 * 2 ** 20;
/** Time for a bounded server to fill its buffers and for the client's writes to stall. */
const SETTLE_MS = 1000;
const ATTACK_MS = 3000;
const DRAIN_MS = 1000;
/** Time to exit beyond the drain time: closing connections and printing the report. */
const EXIT_MARGIN_MS = 2000;

/** 64 requests of 1 KB each, whose replies are as long. */
const REQUESTS = new TextEncoder().encode(("3|" + "x".repeat(1021) + "\n").repeat(64));
const REPLY_BYTES_PER_CHUNK = 64 * 1022;

/**
 * What the kernel may hold of a server's replies without the client having read them: the
 * server's send buffer at its largest (tcp_wmem's maximum), discarded when the server closes
 * a connection with unread input, plus a margin for the queue overshooting it by a segment.
 */
async function kernelSendBufferBytes(): Promise<number> {
  // Read through `cat`: Deno grants /proc/sys only to --allow-all, which `deno task test` is not.
  const { stdout } = await new Deno.Command("cat", {
    args: ["/proc/sys/net/ipv4/tcp_wmem"],
    stdout: "piped",
  }).output();
  return Number(new TextDecoder().decode(stdout).trim().split(/\s+/)[2]) + 2 ** 20;
}

/** `bytes_out` of `peer` in task-serve's connection log. */
function bytesOutOf(stdout: string, peer: string): number {
  const line = stdout.split("\n").find((line) => line.startsWith(`${peer} `));
  assert.ok(line, `no log line for ${peer} in:\n${tail(stdout)}`);
  return Number(/ bytes_out=(\d+) /.exec(line)![1]);
}

/** Writes requests and reads every reply until `bytes` of requests are sent. */
async function warmUp(conn: Deno.TcpConn, bytes: number): Promise<number> {
  const chunks = Math.ceil(bytes / REQUESTS.length);
  const replies = (async () => {
    const buffer = new Uint8Array(65536);
    let read = 0;
    while (read < chunks * REPLY_BYTES_PER_CHUNK) {
      const n = await conn.read(buffer);
      if (n === null) throw new Error("The server closed during the warm-up");
      read += n;
    }
    return read;
  })();
  for (let i = 0; i < chunks; i++) await writeAll(conn, REQUESTS);
  return await replies;
}

/** RSS growth of a server tree under attack, sampled every 100 ms while the attack lasts. */
async function watchGrowth(pid: number, baseline: number, written: () => number) {
  const started = performance.now();
  let settled: number | undefined;
  let writtenSettled = 0;
  let total = 0;
  let steady: number | undefined;
  while (performance.now() - started < SETTLE_MS + ATTACK_MS && total <= GROWTH_ABORT) {
    await sleep(100);
    const rss = treeRssBytes(pid);
    total = Math.max(total, rss - baseline);
    if (performance.now() - started < SETTLE_MS) continue;
    if (settled === undefined) {
      settled = rss;
      writtenSettled = written();
    }
    steady = Math.max(steady ?? 0, rss - settled);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  return {
    steady,
    total,
    describe: () =>
      steady === undefined
        ? `RSS grew by ${mib(total)} MB over ${mib(baseline)} MB within ${seconds} s, while ` +
          `the client wrote ${mib(written())} MB; the attack stopped there`
        : `RSS grew by ${mib(steady)} MB after the first second (${mib(total)} MB in all, ` +
          `over ${mib(baseline)} MB), while the client wrote ${
            mib(written() - writtenSettled)
          } MB after the first second (${mib(written())} MB in all)`,
  };
}

Deno.test("task-serve: a client that never reads stops costing memory and leaves no phantom bytes_out", async (t) => {
  await inEachVariant(t, VARIANTS, (variant, check) =>
    withServer(
      [...TASK_SERVE, "--drain", `${DRAIN_MS}ms`, ...variant.args],
      async (server) => {
        const conn = await Deno.connect({ hostname: HOST, port: server.port });
        const peer = `${HOST}:${conn.localAddr.port}`;
        // Replies flow normally first, so the baseline includes a warmed-up heap and buffers.
        let read = await warmUp(conn, WARM_UP_BYTES);
        const baseline = await waitForSteady(() => treeRssBytes(server.pid), {
          what: "the memory after the warm-up",
          tolerance: 2 ** 20,
        });

        let written = 0;
        let writing = true;
        const writer = (async () => {
          try {
            while (writing) written += await conn.write(REQUESTS);
          } catch { /* closed at the end of the attack or by the server */ }
        })();
        const growth = await watchGrowth(server.pid, baseline, () => written);
        writing = false;

        await check("once its buffers are full, RSS grows by under 20 MB (64 MB in all)", () => {
          assert.ok(growth.steady !== undefined && growth.steady < GROWTH_BOUND, growth.describe());
          assert.ok(growth.total < TOTAL_GROWTH_BOUND, growth.describe());
          return Promise.resolve();
        });

        let stopped: Awaited<ReturnType<typeof stopWithin>> | undefined;
        await check("after SIGINT it ends within its drain time", async () => {
          stopped = await stopWithin(server, "SIGINT", DRAIN_MS + EXIT_MARGIN_MS);
          assert.equal(stopped.code, 0, tail(stopped.stderr));
        });
        read += await drainBytes(conn);
        conn.close();
        await writer;

        await check("bytes_out counts only what reached the socket", async () => {
          assert.ok(stopped, "no report: the server was killed");
          const reported = bytesOutOf(stopped.stdout, peer);
          const slack = await kernelSendBufferBytes();
          assert.ok(
            reported <= read + slack,
            `bytes_out=${reported}, but the client could read only ${read} bytes ` +
              `(allowing ${mib(slack)} MB in the kernel's send buffer)`,
          );
          return Promise.resolve();
        });
      },
    ));
});
