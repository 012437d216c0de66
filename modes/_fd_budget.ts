/**
 * The open-file budget of a mode that starts a member per connection. Each connection costs
 * the parent several descriptors (measured with /proc/self/fd: 7 for a `thr` Web Worker, the
 * socket and its runtime's; 5 for a `proc` child, the socket, three pipes and the process
 * handle), and running out is not recoverable there: a Web Worker's runtime panics inside
 * Deno, and a child cannot be spawned. So `--max-conns` is held to what the limit allows,
 * raised towards what it needs where the hard limit permits, and connections beyond it wait
 * in the backlog as they do beyond `--max-conns`.
 *
 * @module
 */

import { raiseFdLimit } from "../lib/net/fd_limit.ts";
import type { ModeOptions } from "../lib/server/server_spec.ts";

/** Descriptors kept free besides those open at start: listeners, a spawn's pipes in flight. */
const SPARE_FDS = 32;

/** Descriptors this process holds now (Linux); undefined where it cannot be told. */
export function openFdCount(): number | undefined {
  try {
    let count = 0;
    for (const _ of Deno.readDirSync("/proc/self/fd")) count++;
    return count;
  } catch {
    return undefined;
  }
}

/**
 * The options with `maxConns` no higher than the open-file limit allows at `fdsPerConnection`
 * each, after raising the soft limit towards what `maxConns` needs; warns when it lowers it.
 */
export async function withinFdLimit(
  options: ModeOptions,
  fdsPerConnection: number,
  memberName: string,
): Promise<ModeOptions> {
  const open = openFdCount();
  if (open === undefined) return options;
  const wanted = open + SPARE_FDS + options.maxConns * fdsPerConnection;
  const limit = await raiseFdLimit(wanted);
  if (!limit || limit.soft >= wanted) return options;
  const fits = Math.max(1, Math.floor((limit.soft - open - SPARE_FDS) / fdsPerConnection));
  options.onEvent({
    type: "warning",
    message:
      `--max-conns ${options.maxConns} needs about ${wanted} open files (${fdsPerConnection} per connection, one ${memberName} each), but the limit is ${limit.soft} (hard ${limit.hard}): at most ${fits} connections at once, the others wait in the backlog; raise "ulimit -n" to allow more`,
  });
  return { ...options, maxConns: fits };
}
