/**
 * Running a server under attack without leaking it: {@link withServer} remembers every
 * process the server starts and kills whatever is left of them (stopped ones included)
 * however the test ends, even those orphaned by the server's exit; {@link stopWithin} signals
 * the server and fails if it and everything it started do not end in time.
 *
 * @module
 */

import { type RunningServer, startServer } from "../support.ts";
import { processTree, signalTree, startTime } from "./process_tree.ts";

/** A started server that knows whether it has exited and what it left running. */
export interface GuardedServer extends RunningServer {
  /** True once the server has exited and every process holding its output has too. */
  exited(): boolean;
  /** Processes the server started (children, grandchildren) that are still running. */
  survivors(): number[];
}

/** How often the server's process tree is looked at for new processes. */
const WATCH_INTERVAL_MS = 100;

/**
 * Starts a server (as {@link startServer}), runs `fn` with it, and afterwards continues and
 * kills every process it started that is still there.
 */
export async function withServer<T>(
  args: string[],
  fn: (server: GuardedServer) => Promise<T>,
  command?: Deno.Command,
): Promise<T> {
  const started = await startServer(args, command);
  let exited = false;
  const finished = started.finished.finally(() => exited = true);
  const seen = new Map<number, string>();
  const remember = () => {
    for (const pid of processTree(started.pid)) {
      const start = startTime(pid);
      if (!seen.has(pid) && start !== undefined) seen.set(pid, start);
    }
  };
  remember();
  const watch = setInterval(remember, WATCH_INTERVAL_MS);
  const server: GuardedServer = {
    ...started,
    finished,
    exited: () => exited,
    survivors: () => {
      remember();
      return [...seen].filter(([pid, start]) => pid !== started.pid && startTime(pid) === start)
        .map(([pid]) => pid);
    },
  };
  try {
    return await fn(server);
  } catch (error) {
    throw await withExitStatus(error, finished);
  } finally {
    clearInterval(watch);
    killTree(
      [started.pid, ...server.survivors()].filter((pid) => seen.get(pid) === startTime(pid)),
    );
    await finished;
  }
}

/**
 * A test's error, plus the server's exit code and last stderr lines if it has exited (it may
 * take a moment after a crash for its pipes to close).
 */
async function withExitStatus(
  error: unknown,
  finished: Promise<{ code: number; stderr: string }>,
): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const grace = new Promise<undefined>((resolve) =>
    timer = setTimeout(() => resolve(undefined), 500)
  );
  const exit = await Promise.race([finished, grace]);
  clearTimeout(timer);
  if (exit === undefined || !(error instanceof Error)) return error;
  error.message += `\n(the server had exited with code ${exit.code}; stderr:\n${
    tail(exit.stderr)
  })`;
  return error;
}

/** Continues (so nothing stays stopped) and kills each of `pids`. */
export function killTree(pids: number[]): void {
  for (const signal of ["SIGCONT", "SIGKILL"] as const) {
    for (const pid of pids) {
      try {
        Deno.kill(pid, signal);
      } catch { /* exited */ }
    }
  }
}

/** How a signalled server ended. */
export interface Stopped {
  code: number;
  stdout: string;
  stderr: string;
  /** Milliseconds from the signal to its exit. */
  tookMs: number;
}

/**
 * Sends `signal` and waits up to `withinMs` for the server, and every process holding its
 * output, to exit; if they do not, kills them all and throws, saying which were left.
 * `wholeTree` sends the signal to every process the server started too, as a terminal does
 * to its foreground process group on Ctrl-C or when it closes.
 */
export async function stopWithin(
  server: GuardedServer,
  signal: Deno.Signal,
  withinMs: number,
  { wholeTree = false } = {},
): Promise<Stopped> {
  const started = performance.now();
  if (wholeTree) signalTree(server.pid, signal);
  else {
    try {
      server.kill(signal);
    } catch { /* it has exited already: its output says how */ }
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) =>
    timer = setTimeout(() => resolve("late"), withinMs)
  );
  const outcome = await Promise.race([server.finished, late]);
  clearTimeout(timer);
  if (outcome === "late") {
    const parentAlive = startTime(server.pid) !== undefined;
    const survivors = server.survivors();
    killTree([...(parentAlive ? [server.pid] : []), ...survivors]);
    const { code, stdout, stderr } = await server.finished;
    const what = parentAlive
      ? "The server did not exit"
      : `The server exited (code ${code}), but ${survivors.length} processes it started ` +
        `(pids ${survivors.join(", ")}) were still running`;
    throw new Error(
      `${what} within ${withinMs} ms of ${signal}; killed them.\n` +
        `stdout:\n${tail(stdout)}\nstderr:\n${tail(stderr)}`,
    );
  }
  return { ...outcome, tookMs: performance.now() - started };
}

/** The last lines of a long output, for failure messages. */
export function tail(text: string, lines = 15): string {
  return text.split("\n").slice(-lines).join("\n");
}
