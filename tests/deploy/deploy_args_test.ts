/**
 * The command lines the Kubernetes Jobs in `deploy/` run are ones `socklab bench` accepts: each
 * pod's arguments, expanded as Kubernetes expands them, go through bench's own argument parser.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseBenchArgs } from "../../lib/commands/bench.ts";
import { jobCommandLines, kubeObjects } from "./deploy_files.ts";

Deno.test("every Job command line in deploy/ is one socklab bench accepts", async () => {
  const jobs = (await kubeObjects()).filter((o) => o.kind === "Job");
  assert.ok(jobs.length >= 2, "the load Job and the merge Job");
  for (const job of jobs) {
    for (const [command, ...argv] of jobCommandLines(job)) {
      assert.equal(command, "bench", `${job.metadata.name} runs socklab bench`);
      assert.doesNotThrow(
        () => parseBenchArgs(argv),
        `${job.metadata.name}: bench ${argv.join(" ")}`,
      );
    }
  }
});

Deno.test("parseBenchArgs rejects what Kubernetes would pass unexpanded, so the check above can fail", () => {
  const load = ["scale", "--server", "socklab-server:65432", "--out", "/results/0"];
  assert.doesNotThrow(() => parseBenchArgs([...load, "--start-at", "2030-01-01T12:00:00Z"]));
  assert.throws(() => parseBenchArgs([...load, "--start-at", "$(START_AT)"]));
});
