/**
 * The open-file limit: read it (Linux `/proc/self/limits`), raise the soft limit up to the
 * hard one where allowed (`prlimit` on this process, inherited by the servers it starts), and
 * say what fixes it when a connection count cannot be reached.
 *
 * @module
 */

/** Soft and hard `RLIMIT_NOFILE`; undefined where they cannot be read. */
export interface FdLimit {
  soft: number;
  hard: number;
}

/** Parses the "Max open files" row of `/proc/<pid>/limits`. */
export function parseLimits(text: string): FdLimit | undefined {
  const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(text);
  if (!match) return undefined;
  const value = (s: string) => s === "unlimited" ? Number.MAX_SAFE_INTEGER : Number(s);
  return { soft: value(match[1]), hard: value(match[2]) };
}

/** This process's limit, or undefined off Linux. */
export function readFdLimit(): FdLimit | undefined {
  try {
    return parseLimits(Deno.readTextFileSync("/proc/self/limits"));
  } catch {
    return undefined;
  }
}

/** Raises the soft limit towards `wanted` (at most the hard limit); returns the limit in force. */
export async function raiseFdLimit(wanted: number): Promise<FdLimit | undefined> {
  const limit = readFdLimit();
  if (!limit || limit.soft >= wanted) return limit;
  const target = Math.min(wanted, limit.hard);
  try {
    await new Deno.Command("prlimit", {
      args: [`--pid=${Deno.pid}`, `--nofile=${target}:${limit.hard}`],
      stdout: "null",
      stderr: "null",
    }).output();
  } catch { /* no prlimit: the limit stays as it is */ }
  return readFdLimit();
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
