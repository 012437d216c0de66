/**
 * The connections waiting in one process's accept queues on a port: those the kernel resets
 * when the process dies before accepting them (read with {@link ssSockets}); undefined where
 * `ss` is missing or says nothing usable.
 *
 * @module
 */

import { ssSockets } from "./ss_sockets.ts";

/**
 * Parses `ss -Htanp 'sport = :PORT'`: the Recv-Q of `pid`'s listening sockets is how many
 * connections wait in them; the established connections no process holds yet are their
 * peers (all the listeners' on the port, so they stand for this process's queue only when
 * the counts agree; otherwise the peers are unknown).
 */
export function parseQueuedPeers(ssOutput: string, pid: number): string[] {
  const owner = `pid=${pid},`;
  let queued = 0;
  const unowned: string[] = [];
  for (const line of ssOutput.split("\n")) {
    const [state, recvQ, _sendQ, _local, peer, process] = line.trim().split(/\s+/);
    if (state === "LISTEN" && process?.includes(owner)) queued += Number(recvQ) || 0;
    else if (state === "ESTAB" && peer && process === undefined) unowned.push(peer);
  }
  return unowned.length === queued ? unowned : Array(queued).fill("unknown:0");
}

/** The peers waiting in `pid`'s accept queues on `port`; see {@link parseQueuedPeers}. */
export async function queuedPeers(pid: number, port: number): Promise<string[] | undefined> {
  const sockets = await ssSockets("-Htanp", port);
  return sockets === undefined ? undefined : parseQueuedPeers(sockets, pid);
}
