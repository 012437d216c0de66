/**
 * `socklab demo`: the timestamp lab in a few seconds on loopback. Starts a `serve` (Web Worker
 * pool) on a free port, runs a 3-worker client against it with the verbose exchange shown, lets
 * the server stop by itself after the three connections and print its report, then sends a few
 * requests to a `task-serve`.
 *
 * @module
 */

import { parseFlags } from "../cli/flags.ts";
import { runSelf, startServerProcess } from "../server/server_process.ts";

/** `demo --help`. */
export const DEMO_HELP = `socklab demo: the labs on loopback in a few seconds

Usage: socklab demo

Starts "serve --mode thr" on 127.0.0.1 (a free port), runs
"client -w 3 -n 5 -d e -p 20 --seed 7 -v" against it, and prints both sides: the
verbose exchange, the client's summary and the server's inter-arrival report. Then it
asks a "task-serve" to swap case, evaluate 2**100 and 7/2, and reverse a string.

Options:
  -h, --help   show this help`;

const print = (prefix: string) => (line: string) => console.log(`${prefix} ${line}`);

/** Runs the demo; returns the exit code. */
export async function demo(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {});
  if (values.help) {
    console.log(DEMO_HELP);
    return 0;
  }
  console.log("== Timestamp lab: serve --mode thr, client with 3 workers ==");
  const server = await startServerProcess(
    [
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--mode",
      "thr",
      "--workers",
      "2",
      "--verbose",
      "--max-connections",
      "3",
    ],
    print("[server]"),
  );
  console.log(`[server] listening on 127.0.0.1:${server.port}`);
  const clientCode = await runSelf(
    [
      "client",
      "-w",
      "3",
      "-n",
      "5",
      "-d",
      "e",
      "-p",
      "20",
      "--seed",
      "7",
      "-v",
      "-s",
      "127.0.0.1",
      "-P",
      String(server.port),
    ],
    print("[client]"),
  );
  const serverCode = await server.status;

  console.log("\n== Task lab: task-serve --mode async ==");
  const tasks = await startServerProcess(
    ["task-serve", "--host", "127.0.0.1", "--port", "0", "--verbose", "--max-connections", "4"],
    print("[task-server]"),
  );
  let taskCode = 0;
  for (
    const [op, text] of [["case", "Hello World"], ["eval", "2**100"], ["eval", "7/2"], [
      "reverse",
      "socklab",
    ]]
  ) {
    taskCode ||= await runSelf(
      ["client", "--task", "-s", "127.0.0.1", "-P", String(tasks.port), "--op", op, "--text", text],
      print(`[client] ${op} ${text} ->`),
    );
  }
  taskCode ||= await tasks.status;
  return clientCode || serverCode || taskCode;
}
