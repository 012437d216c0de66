/**
 * The open-file limit: read it and raise the soft limit up to the hard one where allowed, with
 * util-linux `prlimit` on this process (the servers it starts inherit it; reading
 * `/proc/self/limits` would need `--allow-all`), and say what fixes it when a connection count
 * cannot be reached.
 *
 * @module
 */

/** Soft and hard `RLIMIT_NOFILE`; undefined where they cannot be read. */
export interface FdLimit {
  soft: number;
  hard: number;
}

/** Parses `prlimit --nofile --output SOFT,HARD --noheadings --raw` output. */
export function parsePrlimit(text: string): FdLimit | undefined {
  const match = /^\s*(\d+|unlimited)\s+(\d+|unlimited)\s*$/.exec(text);
  if (!match) return undefined;
  const value = (s: string) => s === "unlimited" ? Number.MAX_SAFE_INTEGER : Number(s);
  return { soft: value(match[1]), hard: value(match[2]) };
}

async function prlimit(args: string[]): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("prlimit", {
      args: [`--pid=${Deno.pid}`, ...args],
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout) : undefined;
  } catch {
    return undefined; // no prlimit here (not Linux, or util-linux missing)
  }
}

/** This process's limit, or undefined where it cannot be read. */
export async function readFdLimit(): Promise<FdLimit | undefined> {
  const text = await prlimit(["--nofile", "--output", "SOFT,HARD", "--noheadings", "--raw"]);
  return text === undefined ? undefined : parsePrlimit(text);
}

/** Raises the soft limit towards `wanted` (at most the hard limit); returns the limit in force. */
export async function raiseFdLimit(wanted: number): Promise<FdLimit | undefined> {
  const limit = await readFdLimit();
  if (!limit || limit.soft >= wanted) return limit;
  await prlimit([`--nofile=${Math.min(wanted, limit.hard)}:${limit.hard}`]);
  return await readFdLimit();
}

/** Descriptors a count of connections needs in one process, with room for the rest. */
export function fdsNeeded(connections: number): number {
  return connections + 64;
}

/** The sentence for a count the limit does not allow. */
export function fdAdvice(connections: number, limit: FdLimit): string {
  return `${connections} connections need about ${
    fdsNeeded(connections)
  } open files, but the limit is ${limit.soft} (hard ${limit.hard}): run "ulimit -n ${
    fdsNeeded(connections)
  }" in this shell (as root if over the hard limit) and try again`;
}
