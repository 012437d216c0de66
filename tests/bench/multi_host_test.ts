/**
 * Several load hosts, stood in for by three `bench scale --server` processes on this machine:
 * one `--start-at` for all, one socklab task server, the three JSON results merged by
 * `bench merge`. The merged count must be the sum of the three and what the server counted.
 *
 * @module
 */

import assert from "node:assert/strict";
import { markdownTable } from "../report_support.ts";
import { numberAfter, runSocklab, startServer, TASK_SERVE } from "../support.ts";
import { withTempDir } from "./bench_support.ts";

const REQUESTS = 20;
const CONNECTIONS = [10, 15, 20];

Deno.test("three bench scale hosts with one --start-at, merged, add up to what the server counted", async () => {
  const server = await startServer([...TASK_SERVE, "--mode", "async"]);
  let stopped = false;
  try {
    await withTempDir(async (dir) => {
      // Far enough ahead for three processes to start on a busy machine.
      const startAt = Date.now() + 5000;
      const files = CONNECTIONS.map((_, i) => `${dir}/host${i + 1}.json`);
      const runs = await Promise.all(CONNECTIONS.map(async (n, i) => {
        const run = await runSocklab([
          "bench",
          "scale",
          "--server",
          `127.0.0.1:${server.port}`,
          "--connections",
          String(n),
          "--requests",
          String(REQUESTS),
          "--client-workers",
          "1",
          "--start-at",
          new Date(startAt).toISOString(),
          "--json",
        ]);
        assert.equal(run.code, 0, run.stderr);
        await Deno.writeTextFile(files[i], run.stdout);
        return JSON.parse(run.stdout);
      }));
      for (const run of runs) {
        assert.ok(run.summaries[0].requestPhase.start >= startAt, "no host began early");
        assert.equal(typeof run.summaries[0].histogram, "string");
        assert.equal(run.environment.host, Deno.hostname());
      }
      const sum = runs.reduce((total, run) => total + run.summaries[0].requests, 0);
      assert.equal(sum, CONNECTIONS.reduce((a, b) => a + b, 0) * REQUESTS);

      const merge = await runSocklab(["bench", "merge", ...files, "--out", `${dir}/merged`]);
      assert.equal(merge.code, 0, merge.stderr);
      assert.match(merge.stdout, /^Sources:$/m);
      const merged = JSON.parse(await Deno.readTextFile(`${dir}/merged/scale.json`));
      assert.equal(merged.summaries[0].requests, sum);
      assert.equal(merged.summaries[0].latency.count, sum);
      assert.equal(merged.summaries[0].connections, 45);

      server.kill("SIGINT");
      stopped = true;
      const { stdout } = await server.finished;
      assert.equal(numberAfter(stdout, "Messages: "), sum, "what the server counted");

      const report = await Deno.readTextFile(`${dir}/merged/report.md`);
      const sources = markdownTable(report, "## Sources");
      assert.deepEqual(sources.rows.map((row) => row[0]), files);
      assert.deepEqual(sources.rows.map((row) => Number(row[3])), CONNECTIONS);
    });
  } finally {
    if (!stopped) {
      server.kill("SIGINT");
      await server.finished;
    }
  }
});
