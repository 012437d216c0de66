/**
 * `socklab client`: the timestamp load client (many logical workers on a few Web Workers,
 * each with its own connection; deterministic / uniform / exponential inter-event times) and,
 * with `--task`, the task server's client: the reference's interactive menu, or one request
 * with `--op` and `--text`.
 *
 * @module
 */

import {
  choiceFlag,
  durationFlag,
  type FlagValues,
  hostFlag,
  intFlag,
  numberFlag,
  parseFlags,
  UsageError,
} from "../cli/flags.ts";
import {
  type Distribution,
  DISTRIBUTION_ALIASES,
  DISTRIBUTION_KINDS,
} from "../stats/distribution.ts";
import { formatHostPort, IO_NAMES, type IoName } from "../net/transport.ts";
import { fdAdvice, fdsNeeded, raiseFdLimit } from "../net/fd_limit.ts";
import { TASK_OPERATIONS } from "../protocols/task.ts";
import { randomSeed } from "../stats/rng.ts";
import { ClientFailure, type Peer } from "../client/client_failure.ts";
import { runTaskMenu, runTaskOp } from "../client/task_client.ts";
import { runTimestampPool, threadsFor } from "../client/timestamp_pool.ts";
import { formatClientSummary, plural } from "../client/timestamp_summary.ts";
import { interruptedBy, watchInterrupts } from "../bench/interrupt.ts";
import { SERVE_DEFAULT_PORT } from "./serve.ts";
import { TASK_DEFAULT_PORT } from "./task_serve.ts";

/** The transport the clients use unless `--io` says otherwise. */
export const CLIENT_DEFAULT_IO: IoName = "node";

/** `client --help`. */
export const CLIENT_HELP = `socklab client: timestamp load client, and task client with --task

Usage:
  socklab client -s HOST [-w N] [-n N] [-d d|u|e] [-p X] [options]
  socklab client --task -s HOST [--op NAME --text TEXT]

Timestamp mode: each worker has its own connection; many workers share each of at most one
Web Worker per CPU. The workers start together: each connects, reads the server's greeting
and sends N lines "Worker <w>, Event <e>, Timestamp <unix-ms>", the first one drawn
inter-event time after the greeting (as a reference client's thread does), the others one
draw apart, scheduled against absolute times.

Options:
  -s, --server HOST        server to connect to (required)
  -P, --port PORT          server port (default ${SERVE_DEFAULT_PORT}; with --task ${TASK_DEFAULT_PORT})
  -w, --workers N          concurrent workers, one connection each (default 1)
  -n, --intervals N        events per worker (default 10)
  -d, --dist D             d|det: fixed time; u|uniform: on [0, T]; e|exp: rate λ
                           (default d)
  -p, --param X            det: the time in seconds; uniform: T in seconds;
                           exp: the rate λ per second, mean 1/λ (default 1)
  --seed N                 seed for reproducible draws (default: random, printed)
  --timeout DUR            longest wait for the connect, the greeting and each reply
                           (default 30s)
  --connect-timeout DUR    a different bound for the connect alone (default: --timeout)
  --io deno|node           socket API (default ${CLIENT_DEFAULT_IO})
  -v, --verbose            print every line sent
  -h, --help               show this help

Task mode:
  --task                   talk to task-serve: interactive menu on a terminal or from
                           piped standard input (1. Change case, 2. Evaluate expression,
                           3. Reverse string, 4. Exit: closes, sending nothing)
  --op NAME --text TEXT    send one request (case, eval, reverse or 1-3) and print
                           the reply; exit code 1 if the reply is an error
  Requests go out as the reference client sends them ("2|1+2", one write, no newline);
  replies may end with a newline or not.

Examples:
  socklab client -w 3 -n 5 -d u -p 2.0 -s 127.0.0.1 -P 55000 -v
  socklab client -w 1000 -n 10 -p 0.1 -s 127.0.0.1
  socklab client --task -s 127.0.0.1 --op eval --text "2**100"
  printf '2\\n7/2\\n4\\n' | socklab client --task -s 127.0.0.1

Ctrl-C (or SIGTERM, SIGHUP) stops the workers and prints the summary of the events sent so far.

Exit codes: 0 all sent, 1 a worker failed (refused, reset, closed, timed out, wrong kind of
server), 2 usage error, 130 interrupted.`;

const FLAGS = {
  server: { type: "string", short: "s" },
  port: { type: "string", short: "P" },
  workers: { type: "string", short: "w" },
  intervals: { type: "string", short: "n" },
  dist: { type: "string", short: "d" },
  param: { type: "string", short: "p" },
  seed: { type: "string" },
  timeout: { type: "string" },
  "connect-timeout": { type: "string" },
  io: { type: "string" },
  verbose: { type: "boolean", short: "v" },
  task: { type: "boolean" },
  op: { type: "string" },
  text: { type: "string" },
} as const;

/** The timestamp client's typed options. */
export interface TimestampClientOptions extends Peer {
  workers: number;
  events: number;
  dist: Distribution;
  seed: number;
  seedGiven: boolean;
  verbose: boolean;
  io: IoName;
}

/** A wait bound: a duration above zero, since no wait may be endless. */
function waitFlag(values: FlagValues, flag: string, fallback: number): number {
  const ms = durationFlag(values, flag, fallback)!;
  if (ms <= 0) {
    throw new UsageError(
      `Invalid --${flag} "${values[flag]}": expected a duration above 0, such as 30s`,
    );
  }
  return ms;
}

/** The server, the waits and the transport, as both modes take them. */
function peerOptions(values: FlagValues, defaultPort: number): Peer & { io: IoName } {
  const timeoutMs = waitFlag(values, "timeout", 30_000);
  return {
    host: hostFlag(values, "server", undefined),
    port: intFlag(values, "port", defaultPort, 1, 65535),
    timeoutMs,
    connectTimeoutMs: waitFlag(values, "connect-timeout", timeoutMs),
    io: choiceFlag(values, "io", CLIENT_DEFAULT_IO, IO_NAMES),
  };
}

/** Parses the timestamp client's flags. */
export function timestampClientOptions(values: FlagValues): TimestampClientOptions {
  const seedGiven = values.seed !== undefined;
  return {
    ...peerOptions(values, SERVE_DEFAULT_PORT),
    workers: intFlag(values, "workers", 1, 1, 10_000),
    events: intFlag(values, "intervals", 10, 1),
    dist: {
      kind: choiceFlag(values, "dist", "det", DISTRIBUTION_KINDS, DISTRIBUTION_ALIASES),
      param: numberFlag(values, "param", 1, 0)!,
    },
    seed: seedGiven ? intFlag(values, "seed", 0, 0, 2 ** 32 - 1) : randomSeed(),
    seedGiven,
    verbose: values.verbose === true,
  };
}

/**
 * The warning for a `-p` that looks like a port (the reference client's `-P` is the port; a
 * port given to `-p` would mean hours between events), or undefined.
 */
export function paramWarning(values: FlagValues): string | undefined {
  const text = values.param;
  if (typeof text !== "string" || !/^\s*\d{4,5}\s*$/.test(text) || Number(text) > 65535) {
    return undefined;
  }
  const unit = values.dist === "e" || values.dist === "exp" ? "rate per second" : "seconds";
  return `Warning: -p ${text.trim()} is the inter-event parameter (${unit}); the port is -P`;
}

/** Runs `client` with its arguments; returns the exit code. */
export async function client(args: string[]): Promise<number> {
  const { values } = parseFlags(args, FLAGS);
  if (values.help) {
    console.log(CLIENT_HELP);
    return 0;
  }
  if (values.task) return await taskClient(values);
  if (values.op !== undefined || values.text !== undefined) {
    throw new UsageError("Invalid --op/--text without --task: add --task to talk to task-serve");
  }
  const options = timestampClientOptions(values);
  const warning = paramWarning(values);
  if (warning) console.error(warning);
  return await timestampClient(options);
}

/** Raises the open-file limit for one connection per worker, or warns that it cannot. */
async function ensureFdLimit(workers: number): Promise<void> {
  const limit = await raiseFdLimit(fdsNeeded(workers));
  if (limit && limit.soft < fdsNeeded(workers)) {
    console.error(`Warning: ${fdAdvice(workers, limit)}`);
  }
}

async function timestampClient(options: TimestampClientOptions): Promise<number> {
  await ensureFdLimit(options.workers);
  const where = formatHostPort(options.host, options.port);
  const threads = plural(threadsFor(options.workers), "thread");
  console.log(
    `Starting ${plural(options.workers, "worker")} on ${threads} connecting to ${where}...`,
  );
  // Ctrl-C (or SIGTERM, SIGHUP) ends the run with the summary of what was sent, as bench does.
  const interrupts = watchInterrupts();
  const startedAt = performance.now();
  let run;
  try {
    run = await runTimestampPool(options, {
      log: (line) => console.log(line),
      result: (result) => {
        if (result.interrupted) {
          console.error(
            `[Worker ${result.worker}] Interrupted after ${result.sent} of ${
              plural(options.events, "event")
            }`,
          );
        } else if (result.error) console.error(`[Worker ${result.worker}] Error: ${result.error}`);
      },
    }, interrupts.signal);
  } finally {
    interrupts.dispose();
  }
  const elapsedMs = performance.now() - startedAt;
  console.log(
    run.interrupted
      ? `Interrupted by ${interruptedBy(interrupts.signal.reason)}: the events sent so far.`
      : "All workers have finished.",
  );
  console.log(formatClientSummary({ ...options, ...run, elapsedMs }));
  if (run.interrupted) return 130;
  return run.results.some((r) => r.error) ? 1 : 0;
}

async function taskClient(values: FlagValues): Promise<number> {
  const options = peerOptions(values, TASK_DEFAULT_PORT);
  const op = values.op === undefined
    ? undefined
    : choiceFlag(values, "op", "reverse", TASK_OPERATIONS, {
      "1": "case",
      "2": "eval",
      "3": "reverse",
      "4": "exit",
    });
  if ((op === undefined) !== (values.text === undefined) && op !== "exit") {
    throw new UsageError('Invalid --op/--text: give both, e.g. --op eval --text "1+2"');
  }
  try {
    if (op !== undefined) return await runTaskOp(options, op, String(values.text ?? ""));
    return await runTaskMenu(options);
  } catch (error) {
    if (!(error instanceof ClientFailure)) throw error;
    console.error(`Error: ${error.message}`);
    return 1;
  }
}
