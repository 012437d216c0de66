/**
 * The release workflow is valid YAML whose steps run the project's own tasks (the same ones CI
 * runs), on version tags; every target is built and smoke-tested on a runner of its own OS and
 * CPU before anything is published; `set-version` writes the version `--version` reads.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parse } from "../support/yaml.ts";
import denoConfig from "../../deno.json" with { type: "json" };
import { binaryName, TARGETS } from "../../scripts/compile.ts";

const ROOT = new URL("../..", import.meta.url);

interface Step {
  run?: string;
  uses?: string;
  shell?: string;
  with?: Record<string, unknown>;
}

interface Job {
  needs?: string | string[];
  "runs-on": string;
  defaults?: { run?: { shell?: string } };
  strategy?: { matrix: { include: Record<string, string>[] } };
  steps: Step[];
}

interface Workflow {
  on: { push: { tags: string[] } };
  jobs: Record<string, Job>;
}

async function readWorkflow(): Promise<Workflow> {
  return parse(await Deno.readTextFile(new URL(".github/workflows/release.yml", ROOT)));
}

const needs = (job: Job) => [job.needs ?? []].flat();

/** The OS and CPU of a GitHub-hosted runner label: macOS runners are arm64 unless `-intel`. */
function runnerPlatform(label: string): { os: string; arch: string } {
  const os = label.split("-")[0];
  const arm = label.endsWith("-arm") || (os === "macos" && !label.endsWith("-intel"));
  return { os, arch: arm ? "aarch64" : "x86_64" };
}

/** The runner OS a target's binary runs on. */
function targetOs(target: string): string {
  if (target.includes("linux")) return "ubuntu";
  if (target.includes("apple")) return "macos";
  return "windows";
}

Deno.test("release.yml runs the project's tasks on version tags", async () => {
  const workflow = await readWorkflow();
  assert.deepEqual(workflow.on.push.tags, ["v*.*.*"]);
  const runs = Object.values(workflow.jobs).flatMap((job) => job.steps)
    .flatMap((step) => step.run ? [step.run] : []);
  const tasks = runs.flatMap((run) => [...run.matchAll(/npx -y deno@([\d.]+) task ([\w-]+)/g)]);
  assert.ok(tasks.length >= 4);
  for (const [, version, task] of tasks) {
    assert.equal(version, "2.9.6", "the workflow pins the same Deno as CI");
    assert.ok(task in denoConfig.tasks, `deno task ${task} exists`);
  }
  const names = tasks.map(([, , task]) => task);
  for (const task of ["test", "set-version", "compile", "smoke"]) {
    assert.ok(names.includes(task), `the workflow runs deno task ${task}`);
  }
  assert.ok(runs.some((run) => /sha256sum/.test(run)));
  const ci = await Deno.readTextFile(new URL(".ci/run", ROOT));
  assert.match(ci, /deno\(\) \{ npx -y deno@2\.9\.6 "\$@"; \}/);
  assert.match(ci, /^deno task test /m);
});

Deno.test("release.yml builds and smoke-tests every target on a runner of its own OS and CPU", async () => {
  const { jobs } = await readWorkflow();
  const [name, build] =
    Object.entries(jobs).find(([, job]) =>
      job.steps.some((step) => /task smoke /.test(step.run ?? ""))
    ) ?? assert.fail("no job runs deno task smoke");
  assert.ok(needs(build).includes("test"), "the binaries are built once the tests pass");
  assert.equal(build["runs-on"], "${{ matrix.os }}");
  const matrix = build.strategy?.matrix.include ?? [];
  assert.deepEqual(matrix.map((leg) => leg.target).sort(), [...TARGETS].sort());
  assert.deepEqual(
    [...new Set(matrix.map((leg) => runnerPlatform(leg.os).os))].sort(),
    ["macos", "ubuntu", "windows"],
  );
  for (const leg of matrix) {
    assert.equal(leg.binary, binaryName(leg.target));
    assert.deepEqual(runnerPlatform(leg.os), {
      os: targetOs(leg.target),
      arch: leg.target.split("-")[0],
    }, `${leg.target} runs on its own kind of runner, not ${leg.os}`);
  }
  const index = (pattern: RegExp) => {
    const at = build.steps.findIndex((step) => pattern.test(step.run ?? ""));
    assert.ok(at >= 0, `${name} has a step matching ${pattern}`);
    return at;
  };
  // Windows runners default to PowerShell: every step runs in bash (Git Bash there) and only
  // runs the project's own tasks, which are TypeScript and behave alike on every OS.
  for (const step of build.steps.filter((step) => step.run !== undefined)) {
    assert.equal(step.shell ?? build.defaults?.run?.shell, "bash", `"${step.run}" runs in bash`);
    assert.match(step.run!, /^npx -y deno@[\d.]+ task [\w-]+( [^;&|]*)?$/, "one deno task a step");
  }
  const compile = index(/task compile --target \$\{\{ matrix\.target \}\}$/);
  const smoke = index(/task smoke dist\/\$\{\{ matrix\.binary \}\}$/);
  const upload = build.steps.findIndex((step) => step.uses?.startsWith("actions/upload-artifact"));
  assert.ok(index(/task set-version/) < compile && compile < smoke, "set-version, compile, smoke");
  assert.ok(smoke < upload, "only a binary that passed the smoke test is uploaded");
  assert.equal(build.steps[upload].with?.path, "dist/${{ matrix.binary }}");

  const publishers = Object.entries(jobs).filter(([, job]) =>
    job.steps.some((step) => /gh release create/.test(step.run ?? ""))
  );
  assert.equal(publishers.length, 1, "one job publishes");
  const [, release] = publishers[0];
  assert.ok(needs(release).includes(name), "publishing waits for every runner's smoke test");
  assert.ok(release.steps.some((step) => step.uses?.startsWith("actions/download-artifact")));
  assert.ok(release.steps.some((step) => /sha256sum socklab-\* > SHA256SUMS/.test(step.run ?? "")));
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
