/**
 * Starting socklab servers as child processes on a free port, as `demo` and `bench` do: the
 * child's listening line tells the port; its other output is passed to a callback line by line.
 *
 * @module
 */

import { readLines } from "../protocols/line_reader.ts";
import { selfCommand } from "../cli/self_command.ts";

/** A server child process. */
export interface ServerProcess {
  port: number;
  /**
   * Ends the server as Ctrl-C would (SIGINT) and resolves with its exit code. On Windows,
   * where no signal reaches another process (Deno.kill takes only SIGKILL and SIGTERM there,
   * both TerminateProcess), the server is terminated without printing its report.
   */
  stop(): Promise<number>;
  /** Resolves with the exit code once the server ends by itself. */
  status: Promise<number>;
}

const LISTENING = /listening on (\S+):(\d+) /;

type OnLine = (line: string, stream: "stdout" | "stderr") => void;

/**
 * Spawns `socklab <args>` with its output read line by line into `onLine`; `done` resolves
 * with the exit code once the process has ended and all its output was read.
 */
function spawnSelf(
  args: string[],
  onLine: OnLine,
): { child: Deno.ChildProcess; done: Promise<number> } {
  const { command, args: fullArgs } = selfCommand(args);
  const child = new Deno.Command(command, {
    args: fullArgs,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = Promise.all([
    readLines(child.stdout, (line) => onLine(line, "stdout")),
    readLines(child.stderr, (line) => onLine(line, "stderr")),
  ]);
  return { child, done: Promise.all([child.status, output]).then(([status]) => status.code) };
}

/**
 * Runs `socklab <args>` (a `serve` or `task-serve` command that should say `--port 0`) and
 * resolves once it listens. `onLine` receives every other line of output, with its stream.
 */
export async function startServerProcess(
  args: string[],
  onLine: OnLine = () => {},
): Promise<ServerProcess> {
  let resolvePort!: (port: number) => void;
  const portKnown = new Promise<number>((resolve) => resolvePort = resolve);
  const { child, done: status } = spawnSelf(args, (line, stream) => {
    const match = stream === "stderr" ? LISTENING.exec(line) : null;
    if (match) resolvePort(Number(match[2]));
    else onLine(line, stream);
  });
  const port = await Promise.race([portKnown, status.then((code) => -code - 1)]);
  if (port < 0) {
    throw new Error(
      `The server exited with code ${-port - 1} before listening: socklab ${args.join(" ")}`,
    );
  }
  return {
    port,
    status,
    stop: () => {
      try {
        child.kill(Deno.build.os === "windows" ? "SIGTERM" : "SIGINT");
      } catch { /* already ended */ }
      return status;
    },
  };
}

/** Runs `socklab <args>` to completion, passing its output lines on; resolves with its exit code. */
export function runSelf(args: string[], onLine: OnLine): Promise<number> {
  return spawnSelf(args, onLine).done;
}
