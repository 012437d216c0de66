/**
 * The kernel's view of this machine's TCP sockets (`/proc/net/tcp` and `tcp6`), so that a test
 * can wait for a socket state (a connection gone, bytes waiting unread, an empty accept queue)
 * instead of sleeping and hoping. Linux only: elsewhere the list is empty.
 *
 * @module
 */

/** One socket as the kernel lists it. */
export interface TcpSocket {
  localPort: number;
  remotePort: number;
  /** `LISTEN`, `ESTABLISHED`, … (the kernel's `st` field, named). */
  state: string;
  /** Bytes sent and not yet acknowledged (for a listening socket: its backlog). */
  txQueue: number;
  /** Bytes received and not yet read (for a listening socket: connections not yet accepted). */
  rxQueue: number;
}

const STATES = [
  "",
  "ESTABLISHED",
  "SYN_SENT",
  "SYN_RECV",
  "FIN_WAIT1",
  "FIN_WAIT2",
  "TIME_WAIT",
  "CLOSE",
  "CLOSE_WAIT",
  "LAST_ACK",
  "LISTEN",
  "CLOSING",
];

/**
 * Every TCP socket of this network namespace, IPv4 then IPv6, listening ones first (as the
 * kernel lists them). Lazily: the kernel writes the table as it is read, and with tens of
 * thousands of TIME_WAIT sockets on a busy machine the whole of it takes a good part of a second,
 * so a caller that stops early saves the rest.
 */
export function* tcpSockets(
  tables: readonly string[] = ["/proc/net/tcp", "/proc/net/tcp6"],
): Generator<TcpSocket> {
  for (const table of tables) {
    for (const line of tableLines(table)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 5 || fields[0] === "sl") continue;
      const [txQueue, rxQueue] = fields[4].split(":").map((hex) => parseInt(hex, 16));
      yield {
        localPort: parseInt(fields[1].split(":")[1], 16),
        remotePort: parseInt(fields[2].split(":")[1], 16),
        state: STATES[parseInt(fields[3], 16)] ?? fields[3],
        txQueue,
        rxQueue,
      };
    }
  }
}

/** The lines of a `/proc` table, read a chunk at a time; none if it cannot be opened. */
function* tableLines(path: string): Generator<string> {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path);
  } catch {
    return;
  }
  try {
    const decoder = new TextDecoder();
    const buffer = new Uint8Array(64 * 1024);
    let rest = "";
    for (let n = file.readSync(buffer); n !== null; n = file.readSync(buffer)) {
      const lines = (rest + decoder.decode(buffer.subarray(0, n), { stream: true })).split("\n");
      rest = lines.pop()!;
      yield* lines;
    }
    if (rest !== "") yield rest;
  } finally {
    file.close();
  }
}

/**
 * Both ends of the loopback connection between ports `here` and `there`, as the kernel still
 * has them, in one pass over the table.
 */
export function tcpEnds(
  here: number,
  there: number,
): { here: TcpSocket | undefined; there: TcpSocket | undefined } {
  const ends: { here: TcpSocket | undefined; there: TcpSocket | undefined } = {
    here: undefined,
    there: undefined,
  };
  for (const socket of tcpSockets()) {
    if (socket.localPort === here && socket.remotePort === there) ends.here = socket;
    else if (socket.localPort === there && socket.remotePort === here) ends.there = socket;
    if (ends.here !== undefined && ends.there !== undefined) break;
  }
  return ends;
}

/**
 * Connections waiting in the accept queues of the sockets listening on `port` (0 if none): the
 * sum over all of them, since pool members listen with `SO_REUSEPORT`, a queue each.
 */
export function acceptQueue(port: number): number {
  let queued = 0;
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const socket of tcpSockets([table])) {
      if (socket.state !== "LISTEN") break; // each table lists its listening sockets first
      if (socket.localPort === port) queued += socket.rxQueue;
    }
  }
  return queued;
}

/** Connections to `port`, on its side, that are established. */
export function establishedTo(port: number): number {
  let established = 0;
  for (const socket of tcpSockets()) {
    if (socket.localPort === port && socket.state === "ESTABLISHED") established++;
  }
  return established;
}

/**
 * Whether the end on port `there` has read everything the end on port `here` sent it (nothing
 * unacknowledged at `here`, nothing unread at `there`), or is gone: closed or reset.
 */
export function readByPeer(here: number, there: number): boolean {
  const ends = tcpEnds(here, there);
  return ends.there === undefined || (ends.here?.txQueue === 0 && ends.there.rxQueue === 0);
}
