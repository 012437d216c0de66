/**
 * The record of a run: when it started and ended, where it ran (versions, OS, CPU, open-file
 * limit, host, command line) and whether a signal ended it early.
 *
 * @module
 */

import { cpus } from "node:os";
import denoConfig from "../../deno.json" with { type: "json" };
import type { RunEnvironment, RunRecord } from "./bench_result.ts";
import { interruptedBy } from "./interrupt.ts";
import { readFdLimit } from "../net/fd_limit.ts";

/** `args` as one line a POSIX shell reads back into the same words. */
export function shellQuote(args: readonly string[]): string {
  return args.map((arg) => /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`)
    .join(" ");
}

function attempt<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback; // not permitted, or not on this platform
  }
}

/** This machine and process as a run records them; `argv` follows `socklab`. */
export async function runEnvironment(argv: readonly string[]): Promise<RunEnvironment> {
  const cpuList = attempt(cpus, []);
  return {
    socklab: denoConfig.version,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    os: `${Deno.build.os} ${Deno.build.arch}`,
    kernel: attempt(Deno.osRelease, "unknown"),
    cpuModel: cpuList[0]?.model.trim() || "unknown",
    cpuCount: cpuList.length || navigator.hardwareConcurrency,
    host: attempt(Deno.hostname, "unknown"),
    fdLimit: (await readFdLimit()) ?? null,
    commandLine: shellQuote(["socklab", ...argv]),
  };
}

/**
 * Runs `body` and records it: the start before it, the end after it, the environment, and the
 * signal that interrupted it, if one did (any other error is thrown).
 */
export async function recordRun(
  argv: readonly string[],
  body: () => Promise<void>,
): Promise<RunRecord> {
  const environment = await runEnvironment(argv);
  const startedAt = new Date().toISOString();
  let interrupted: string | undefined;
  try {
    await body();
  } catch (error) {
    interrupted = interruptedBy(error);
  }
  return {
    startedAt,
    endedAt: new Date().toISOString(),
    environment,
    ...(interrupted ? { interrupted } : {}),
  };
}
