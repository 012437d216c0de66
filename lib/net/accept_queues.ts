/**
 * How many connections wait in each of one process's listening sockets on a port, by
 * descriptor (read with {@link ssSockets}): what the kernel resets when that socket closes.
 *
 * @module
 */

import { ssSockets } from "./ss_sockets.ts";

/** Parses `ss -Htanp 'sport = :PORT'`: the Recv-Q of each of `pid`'s listening sockets, by descriptor. */
export function parseAcceptQueues(ssOutput: string, pid: number): Map<number, number> {
  const queues = new Map<number, number>();
  const owner = new RegExp(`pid=${pid},fd=(\\d+)`);
  for (const line of ssOutput.split("\n")) {
    const [state, recvQ, _sendQ, _local, _peer, process] = line.trim().split(/\s+/);
    const fd = process?.match(owner)?.[1];
    if (state === "LISTEN" && fd !== undefined) queues.set(Number(fd), Number(recvQ) || 0);
  }
  return queues;
}

/** `pid`'s accept queues on `port`; undefined where `ss` is missing or fails. */
export async function acceptQueues(
  pid: number,
  port: number,
): Promise<Map<number, number> | undefined> {
  const sockets = await ssSockets(port);
  return sockets === undefined ? undefined : parseAcceptQueues(sockets, pid);
}
