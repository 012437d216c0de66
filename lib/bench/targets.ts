/**
 * Benchmark targets and the lifecycle of the servers bench starts: a `task-serve` child on a
 * free loopback port for a mode, stopped (and waited for) whatever happens to the run; an
 * external `--server` is used as it is.
 *
 * @module
 */

import { MODES } from "../../modes/mod.ts";
import { startServerProcess } from "../server/server_process.ts";
import { type Target, targetName } from "./bench_options.ts";

/**
 * Whether the target serves one connection at a time (an iterative server), so that the
 * clients of a run wait for each other; an external server is taken to be concurrent.
 */
export function servesOneAtATime(target: Target): boolean {
  return target.kind === "mode" && MODES[target.mode].servesOneAtATime;
}

/** How a started server runs: its pool size and extra `task-serve` arguments. */
export interface ServerSetup {
  workers: number;
  args: string[];
  /** Receives the server's warnings and where it listens, for stderr. */
  log: (line: string) => void;
}

/** Starts the target's server (unless external), runs `body` against it, then stops it. */
export async function withTarget<T>(
  target: Target,
  setup: ServerSetup,
  body: (host: string, port: number) => Promise<T>,
): Promise<T> {
  if (target.kind === "server") return await body(target.host, target.port);
  const name = targetName(target);
  const server = await startServerProcess(
    [
      "task-serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--mode",
      target.mode,
      "--workers",
      String(setup.workers),
      ...setup.args,
    ],
    (line, stream) => {
      if (stream === "stderr" && line.startsWith("warning:")) setup.log(`[server ${name}] ${line}`);
    },
  );
  setup.log(`[server ${name}] task-serve listening on 127.0.0.1:${server.port}`);
  try {
    return await body("127.0.0.1", server.port);
  } finally {
    await server.stop();
  }
}
