/**
 * The release workflow is valid YAML whose steps run the project's own tasks (the same ones CI
 * runs), on version tags, for every target; `set-version` writes the version `--version` reads.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parse } from "yaml";
import denoConfig from "../../deno.json" with { type: "json" };

const ROOT = new URL("../..", import.meta.url);

interface Step {
  run?: string;
  uses?: string;
}

Deno.test("release.yml runs the project's tasks on version tags", async () => {
  const workflow = parse(
    await Deno.readTextFile(new URL(".github/workflows/release.yml", ROOT)),
  ) as { on: { push: { tags: string[] } }; jobs: Record<string, { steps: Step[] }> };
  assert.deepEqual(workflow.on.push.tags, ["v*.*.*"]);
  const runs = Object.values(workflow.jobs).flatMap((job) => job.steps)
    .flatMap((step) => step.run ? [step.run] : []);
  const tasks = runs.flatMap((run) => [...run.matchAll(/npx -y deno@([\d.]+) task ([\w-]+)/g)]);
  assert.ok(tasks.length >= 3);
  for (const [, version, task] of tasks) {
    assert.equal(version, "2.9.6", "the workflow pins the same Deno as CI");
    assert.ok(task in denoConfig.tasks, `deno task ${task} exists`);
  }
  const names = tasks.map(([, , task]) => task);
  assert.ok(names.includes("test") && names.includes("compile") && names.includes("set-version"));
  assert.ok(runs.some((run) => /task compile --all/.test(run)));
  assert.ok(runs.some((run) => /sha256sum/.test(run)));
  const ci = await Deno.readTextFile(new URL(".ci/run", ROOT));
  assert.match(ci, /deno\(\) \{ npx -y deno@2\.9\.6 "\$@"; \}/);
  assert.match(ci, /^deno task test /m);
});

Deno.test("set-version writes the version that --version prints", async () => {
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(file, JSON.stringify({ name: "x", version: "0.0.0" }));
    const run = (version: string) =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-read",
          "--allow-write",
          new URL("scripts/set_version.ts", ROOT).pathname,
          version,
          file,
        ],
        stdout: "null",
        stderr: "piped",
      }).output();
    assert.equal((await run("1.4.2")).code, 0);
    assert.equal(JSON.parse(await Deno.readTextFile(file)).version, "1.4.2");
    const bad = await run("v1");
    assert.equal(bad.code, 2);
    assert.match(new TextDecoder().decode(bad.stderr), /Invalid version "v1"/);
  } finally {
    await Deno.remove(file);
  }
});
