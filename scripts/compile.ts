/**
 * `deno task compile`: builds the standalone executables into `dist/`. `deno compile` needs the
 * `denort` runtime for each target; it is taken from `DENORT_BIN` (host target only) or
 * downloaded. Where neither is possible the build is skipped with the reason, exit code 0,
 * and the word SKIPPED, so callers can tell a skip from a build.
 *
 * Usage: deno task compile [--target TRIPLE ...] [--all]
 *
 * Without a target it builds `dist/socklab` for this machine; a named target (or `--all`) is
 * built as its release asset, `dist/socklab-TRIPLE` (`.exe` for Windows).
 *
 * @module
 */

import { PERMISSIONS } from "../lib/cli/self_command.ts";

/** Every target a release ships. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

/** The flags the binary runs with, and the modules it loads that static imports do not reach. */
const COMPILE_FLAGS = [
  ...PERMISSIONS,
  "--unstable-net",
  "--include",
  "modes/_thr_worker.ts",
  "--include",
  "lib/client/client_worker.ts",
  "--include",
  "lib/bench/load_worker.ts",
];

/** The release asset name of a target's binary. */
export function binaryName(target: string): string {
  return `socklab-${target}${target.includes("windows") ? ".exe" : ""}`;
}

function hostTarget(): string {
  return TARGETS.find((t) =>
    t.startsWith(Deno.build.arch) &&
    t.includes(Deno.build.os === "darwin" ? "apple" : Deno.build.os)
  ) ?? Deno.build.target;
}

async function canDownload(): Promise<boolean> {
  try {
    const response = await fetch("https://dl.deno.land/", {
      method: "HEAD",
      signal: AbortSignal.timeout(5000),
    });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

async function main(args: string[]): Promise<number> {
  const named = args.includes("--all")
    ? TARGETS
    : args.flatMap((a, i) => args[i - 1] === "--target" ? [a] : []);
  const targets = named.length > 0 ? named : [hostTarget()];
  const denort = Deno.env.get("DENORT_BIN");
  const online = await canDownload();
  if (!denort && !online) {
    console.log(
      "SKIPPED: deno compile needs the denort runtime: set DENORT_BIN to a denort binary of this Deno version, or allow downloads from dl.deno.land",
    );
    return 0;
  }
  for (const target of targets) {
    if (!online && target !== hostTarget()) {
      console.log(`SKIPPED ${target}: DENORT_BIN serves the host target only`);
      continue;
    }
    const output = named.length > 0 ? `dist/${binaryName(target)}` : "dist/socklab";
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: ["compile", ...COMPILE_FLAGS, "--target", target, "--output", output, "main.ts"],
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (code !== 0) return code;
    console.log(`built ${output}`);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
