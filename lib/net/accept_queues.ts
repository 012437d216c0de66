/**
 * How many connections wait in each of one process's listening sockets on a port, by the
 * socket's inode (read with {@link ssSockets}): what the kernel resets when that socket closes.
 *
 * @module
 */

import { ssSockets } from "./ss_sockets.ts";

/**
 * Parses `ss -Htlnpe 'sport = :PORT'`: the Recv-Q of each of `pid`'s listening sockets, by
 * inode (a descriptor's number is taken again by the next socket opened).
 */
export function parseAcceptQueues(ssOutput: string, pid: number): Map<number, number> {
  const queues = new Map<number, number>();
  const owner = `pid=${pid},`;
  for (const line of ssOutput.split("\n")) {
    const [state, recvQ, _sendQ, _local, _peer, process, inode] = line.trim().split(/\s+/);
    if (state !== "LISTEN" || !process?.includes(owner) || !inode?.startsWith("ino:")) continue;
    queues.set(Number(inode.slice(4)), Number(recvQ) || 0);
  }
  return queues;
}

/** `pid`'s accept queues on `port`; undefined where `ss` is missing or fails. */
export async function acceptQueues(
  pid: number,
  port: number,
): Promise<Map<number, number> | undefined> {
  const sockets = await ssSockets("-Htlnpe", port);
  return sockets === undefined ? undefined : parseAcceptQueues(sockets, pid);
}
