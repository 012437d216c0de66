/**
 * Benchmark targets and the lifecycle of the servers bench starts: a `task-serve` (or `serve`)
 * child on a free loopback port for a mode, stopped (and waited for) whatever happens to the run; an
 * external `--server` is used as it is.
 *
 * @module
 */

import { MODES } from "../../modes/mod.ts";
import { startServerProcess } from "../server/server_process.ts";
import { type Target, targetName } from "./bench_options.ts";
import { whenAborted } from "./interrupt.ts";
import type { RunContext } from "./run_context.ts";

/**
 * Whether the target serves one connection at a time (an iterative server), so that the
 * clients of a run wait for each other; an external server is taken to be concurrent.
 */
export function servesOneAtATime(target: Target): boolean {
  return target.kind === "mode" && MODES[target.mode].servesOneAtATime;
}

/** How a started server runs: its pool size and extra arguments. */
export interface ServerSetup {
  workers: number;
  args: string[];
  /** The server command (default `task-serve`). */
  command?: "serve" | "task-serve";
  /** Hears each line the server prints on stdout (its `--json` summary, say). */
  stdout?(line: string): void;
  /**
   * Milliseconds the server may take to end by itself (`--max-connections`) before it is
   * stopped: a stop that reaches it while it ends would be its second, which forces it to
   * quit without its report.
   */
  endsWithin?: number;
}

/** Resolves once `status` settles, `ms` pass or `signal` aborts, whichever comes first. */
async function endedWithin(status: Promise<number>, ms: number, signal: AbortSignal) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    status,
    new Promise((resolve) => timer = setTimeout(resolve, ms)),
    whenAborted(signal),
  ]);
  clearTimeout(timer);
}

/**
 * Starts the target's server (unless external), runs `body` against it, then stops it and
 * waits for it to end, unless the run is forced to quit. An interrupted run does not start
 * the body: the abort's reason is thrown.
 */
export async function withTarget<T>(
  target: Target,
  setup: ServerSetup,
  context: RunContext,
  body: (host: string, port: number) => Promise<T>,
): Promise<T> {
  context.signal.throwIfAborted();
  if (target.kind === "server") return await body(target.host, target.port);
  const name = targetName(target);
  const server = await startServerProcess(
    [
      setup.command ?? "task-serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--mode",
      target.mode,
      "--workers",
      String(setup.workers),
      ...(target.io ? ["--io", target.io] : []),
      ...setup.args,
    ],
    (line, stream) => {
      if (stream === "stderr" && line.startsWith("warning:")) {
        context.log(`[server ${name}] ${line}`);
      } else if (stream === "stdout") setup.stdout?.(line);
    },
  );
  context.log(`[server ${name}] listening on 127.0.0.1:${server.port} until the bench ends`);
  try {
    context.signal.throwIfAborted();
    return await body("127.0.0.1", server.port);
  } finally {
    if (setup.endsWithin !== undefined && !context.signal.aborted) {
      await endedWithin(server.status, setup.endsWithin, context.signal);
    }
    await Promise.race([server.stop(), whenAborted(context.forced)]);
  }
}
