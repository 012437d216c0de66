/**
 * `deploy/`: the container definition copies a released Linux binary and runs it; the
 * Kubernetes manifests parse, and their command lines fit together: every load pod starts at
 * one `--start-at` against the Service, writes where the merge Job reads, and the server listens
 * where the Service sends. (That the Jobs' command lines are ones `bench` accepts is checked
 * against its argument parser.)
 *
 * @module
 */

import assert from "node:assert/strict";
import { binaryName, TARGETS } from "../../scripts/compile.ts";
import { parseServerArgs, serverOptions } from "../../lib/commands/server_command.ts";
import { TASK_DEFAULT_PORT } from "../../lib/commands/task_serve.ts";
import {
  dockerfile,
  flagValue,
  jobCommandLines,
  kubeObjects,
  object,
  type PodTemplate,
  socklabArgs,
} from "./deploy_files.ts";

Deno.test("deploy/Dockerfile copies a released Linux binary and runs it, nothing built", async () => {
  const instructions = await dockerfile();
  const all = (keyword: string) => instructions.filter((i) => i.keyword === keyword);
  assert.equal(all("FROM").length, 1, "one stage: the binary is copied, not built");
  assert.deepEqual(all("RUN"), [], "nothing runs at build time");
  const args = new Map(all("ARG").map((i) => i.args.split("=") as [string, string]));
  const [copy] = all("COPY");
  const [, chmod, source, destination] = /^--chmod=(\d+) (\S+) (\S+)$/.exec(copy.args) ??
    assert.fail(`COPY --chmod=MODE SOURCE DEST, got "${copy.args}"`);
  assert.equal(Number.parseInt(chmod, 8) & 0o111, 0o111, "the binary is made executable");
  const binary = source.replace(/^\$\{?(\w+)\}?$/, (_, name: string) => args.get(name) ?? "");
  const linux = TARGETS.filter((t) => t.includes("linux")).map(binaryName);
  assert.ok(linux.includes(binary), `"${binary}" is a Linux release asset: ${linux.join(", ")}`);
  const [entrypoint] = all("ENTRYPOINT");
  assert.deepEqual(JSON.parse(entrypoint.args), [destination], "the entry point is the binary");
});

Deno.test("the load Job starts every pod at once, at one --start-at, against the Service", async () => {
  const objects = await kubeObjects();
  const load = object(objects, "Job", "socklab-load");
  const service = object(objects, "Service", "socklab-server");
  assert.equal(load.spec.completionMode, "Indexed");
  assert.ok(load.spec.completions >= 2, "several load pods");
  assert.equal(load.spec.parallelism, load.spec.completions, "all pods run at the same time");
  assert.equal(load.spec.backoffLimit, 0, "no pod is retried after the start time");
  const template = load.spec.template as PodTemplate;
  assert.equal(template.spec.restartPolicy, "Never");

  const lines = jobCommandLines(load);
  assert.equal(lines.length, load.spec.completions);
  const startAt = new Set<string | undefined>();
  const outs = new Set<string | undefined>();
  for (const argv of lines) {
    assert.deepEqual(argv.slice(0, 2), ["bench", "scale"]);
    assert.equal(
      flagValue(argv, "--server"),
      `${service.metadata.name}:${service.spec.ports[0].port}`,
      "the pods load the Service",
    );
    startAt.add(flagValue(argv, "--start-at"));
    outs.add(flagValue(argv, "--out"));
  }
  assert.equal(startAt.size, 1, "one --start-at for every pod");
  const [time] = startAt;
  assert.ok(!Number.isNaN(Date.parse(time ?? "")), `--start-at "${time}" is a date and time`);
  assert.equal(outs.size, lines.length, "each pod writes its own --out folder");
  const [mount] = template.spec.containers[0].volumeMounts ?? [];
  for (const out of outs) {
    assert.ok(out?.startsWith(`${mount.mountPath}/`), `${out} is on the volume`);
  }
});

Deno.test("the merge Job merges exactly the results the load pods write, from their volume", async () => {
  const objects = await kubeObjects();
  const load = object(objects, "Job", "socklab-load");
  const merge = object(objects, "Job", "socklab-merge");
  const [argv] = jobCommandLines(merge);
  const written = jobCommandLines(load).map((line) => `${flagValue(line, "--out")}/scale.json`);
  assert.deepEqual(argv, ["bench", "merge", ...written, "--out", flagValue(argv, "--out")]);

  const storage = (template: PodTemplate) => {
    const [mount] = template.spec.containers[0].volumeMounts ?? [];
    const volume = template.spec.volumes?.find((v) => v.name === mount?.name);
    return { claim: volume?.persistentVolumeClaim?.claimName, path: mount?.mountPath };
  };
  const shared = storage(load.spec.template);
  assert.deepEqual(storage(merge.spec.template), shared, "both Jobs mount one volume alike");
  const claim = object(objects, "PersistentVolumeClaim", shared.claim ?? "");
  assert.ok(claim.spec.accessModes.includes("ReadWriteMany"), "pods on several nodes write it");
  assert.ok(flagValue(argv, "--out")?.startsWith(`${shared.path}/`), "the report is kept");
});

Deno.test("the server Deployment listens where the Service sends, in every container one image", async () => {
  const objects = await kubeObjects();
  const deployment = object(objects, "Deployment", "socklab-server");
  const service = object(objects, "Service", "socklab-server");
  const template = deployment.spec.template as PodTemplate;
  const [container] = template.spec.containers;
  const [command, ...args] = socklabArgs(container, 0);
  assert.equal(command, "task-serve");
  const values = parseServerArgs(args, { delay: { type: "string" } }) ?? assert.fail("--help");
  const { spec } = serverOptions(values, "task", TASK_DEFAULT_PORT, 0);
  assert.equal(spec.host, "0.0.0.0", "reachable from other pods");
  assert.equal(spec.port, service.spec.ports[0].targetPort);
  assert.deepEqual(container.ports?.map((p) => p.containerPort), [spec.port]);
  for (const [label, value] of Object.entries(service.spec.selector)) {
    assert.equal(template.metadata.labels[label], value, "the Service selects the server pod");
  }
  const images = objects.flatMap((o) =>
    o.spec.template ? (o.spec.template as PodTemplate).spec.containers.map((c) => c.image) : []
  );
  assert.equal(new Set(images).size, 1, `one socklab image everywhere: ${images.join(", ")}`);
});
