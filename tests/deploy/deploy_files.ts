/**
 * Test support for `deploy/`: the container definition's instructions, the Kubernetes objects,
 * and the socklab command lines their containers run, expanded as Kubernetes expands them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseAllDocuments } from "../support/yaml.ts";

const DEPLOY = new URL("../../deploy/", import.meta.url);

/** One Dockerfile instruction: `COPY --chmod=0755 a b` is `{ keyword: "COPY", args: "--chmod=0755 a b" }`. */
export interface Instruction {
  keyword: string;
  args: string;
}

/** The instructions of `deploy/Dockerfile`, comments and blank lines left out, continued lines joined. */
export async function dockerfile(): Promise<Instruction[]> {
  const text = await Deno.readTextFile(new URL("Dockerfile", DEPLOY));
  return text.replace(/\\\n/g, " ").split("\n")
    .filter((line) => line.trim() !== "" && !line.trimStart().startsWith("#"))
    .map((line) => {
      const [, keyword, args] = /^\s*(\S+)\s*(.*)$/.exec(line)!;
      return { keyword: keyword.toUpperCase(), args: args.trim() };
    });
}

/** An environment variable of a container. */
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}

/** The parts of a container that say what it runs. */
export interface Container {
  image: string;
  command?: string[];
  args: string[];
  env?: EnvVar[];
  ports?: { containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string }[];
}

/** The parts of a pod template these tests read. */
export interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: {
    restartPolicy?: string;
    containers: Container[];
    volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
  };
}

/** A Kubernetes object from `deploy/*.yaml`, with the fields these tests read. */
export interface KubeObject {
  kind: string;
  metadata: { name: string };
  // deno-lint-ignore no-explicit-any
  spec: any;
}

/** Every object in `deploy/*.yaml`, each YAML document parsed. */
export async function kubeObjects(): Promise<KubeObject[]> {
  const objects: KubeObject[] = [];
  for await (const entry of Deno.readDir(DEPLOY)) {
    if (!entry.name.endsWith(".yaml")) continue;
    const text = await Deno.readTextFile(new URL(entry.name, DEPLOY));
    for (const document of parseAllDocuments(text)) {
      assert.deepEqual(document.errors, [], `deploy/${entry.name} is valid YAML`);
      objects.push(document.toJS());
    }
  }
  return objects;
}

/** The one object of `kind` named `name`. */
export function object(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  assert.equal(found.length, 1, `deploy/ defines one ${kind} ${name}`);
  return found[0];
}

const INDEX_FIELD = "metadata.annotations['batch.kubernetes.io/job-completion-index']";

/**
 * The socklab arguments the container of pod `index` runs: its `args` after the image's
 * ENTRYPOINT, with each `$(VAR)` replaced from its env as Kubernetes does. A reference to a
 * variable the container does not define would reach socklab as literal text, so it fails here.
 */
export function socklabArgs(container: Container, index: number): string[] {
  assert.equal(container.command, undefined, "the image's ENTRYPOINT (socklab) runs the args");
  const env = new Map<string, string>([["JOB_COMPLETION_INDEX", String(index)]]);
  for (const variable of container.env ?? []) {
    const field = variable.valueFrom?.fieldRef?.fieldPath;
    if (variable.value !== undefined) env.set(variable.name, variable.value);
    else if (field === INDEX_FIELD) env.set(variable.name, String(index));
  }
  return container.args.map((arg) =>
    arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (_, name: string) => {
      const value = env.get(name);
      assert.ok(value !== undefined, `$(${name}) in "${arg}" is defined in the container's env`);
      return value;
    })
  );
}

/** Each command line a Job runs: one per completion index (Indexed), else one. */
export function jobCommandLines(job: KubeObject): string[][] {
  const pods = job.spec.completionMode === "Indexed" ? job.spec.completions : 1;
  const [container] = (job.spec.template as PodTemplate).spec.containers;
  return Array.from({ length: pods }, (_, index) => socklabArgs(container, index));
}

/** The value after `flag` in `argv` (or in `--flag=value`). */
export function flagValue(argv: string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  if (at >= 0) return argv[at + 1];
  return argv.find((arg) => arg.startsWith(`${flag}=`))?.slice(flag.length + 1);
}
