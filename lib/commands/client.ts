/**
 * `socklab client`: the timestamp load client (one Web Worker and one connection per worker,
 * deterministic / uniform / exponential inter-event times) and, with `--task`, the task
 * server's client: the reference's interactive menu, or one request with `--op` and `--text`.
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
import { connectTcp, describeConnectError } from "../net/connect.ts";
import {
  describeDistribution,
  type Distribution,
  DISTRIBUTION_ALIASES,
  DISTRIBUTION_KINDS,
  meanSeconds,
} from "../stats/distribution.ts";
import { LineReader } from "../protocols/line_reader.ts";
import { TASK_OPERATIONS } from "../protocols/task.ts";
import { randomSeed } from "../stats/rng.ts";
import { closeQuietly, writeAll } from "../server/session.ts";
import { formatMs } from "../cli/units.ts";
import type {
  ClientWorkerMessage,
  ClientWorkerResult,
  ClientWorkerStart,
} from "../client/client_worker.ts";
import { SERVE_DEFAULT_PORT } from "./serve.ts";
import { TASK_DEFAULT_PORT } from "./task_serve.ts";

/** `client --help`. */
export const CLIENT_HELP = `socklab client: timestamp load client, and task client with --task

Usage:
  socklab client -s HOST [-w N] [-n N] [-d d|u|e] [-p X] [options]
  socklab client --task -s HOST [--op NAME --text TEXT]

Timestamp mode: each worker is a Web Worker with its own connection; after the server's
greeting it sends N lines "Worker <w>, Event <e>, Timestamp <unix-ms>", one per
inter-event time drawn from the distribution, scheduled against absolute times.

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
  --connect-timeout DUR    give up connecting after this long (default 10s)
  -v, --verbose            print every line sent
  -h, --help               show this help

Task mode:
  --task                   talk to task-serve: interactive menu on a terminal or from
                           piped standard input (1. Change case, 2. Evaluate expression,
                           3. Reverse string, 4. Exit)
  --op NAME --text TEXT    send one request (case, eval, reverse or 1-3) and print
                           the reply; exit code 1 if the reply is an error

Examples:
  socklab client -w 3 -n 5 -d u -p 2.0 -s 127.0.0.1 -P 55000 -v
  socklab client --task -s 127.0.0.1 --op eval --text "2**100"
  printf '2\\n7/2\\n4\\n' | socklab client --task -s 127.0.0.1

Exit codes: 0 all sent, 1 a worker failed (refused, reset, timed out), 2 usage error.`;

const FLAGS = {
  server: { type: "string", short: "s" },
  port: { type: "string", short: "P" },
  workers: { type: "string", short: "w" },
  intervals: { type: "string", short: "n" },
  dist: { type: "string", short: "d" },
  param: { type: "string", short: "p" },
  seed: { type: "string" },
  "connect-timeout": { type: "string" },
  verbose: { type: "boolean", short: "v" },
  task: { type: "boolean" },
  op: { type: "string" },
  text: { type: "string" },
} as const;

/** The timestamp client's typed options. */
export interface TimestampClientOptions {
  host: string;
  port: number;
  workers: number;
  events: number;
  dist: Distribution;
  seed: number;
  seedGiven: boolean;
  verbose: boolean;
  connectTimeoutMs: number;
}

/** Parses the timestamp client's flags. */
export function timestampClientOptions(values: FlagValues): TimestampClientOptions {
  const seedGiven = values.seed !== undefined;
  return {
    host: hostFlag(values, "server", undefined),
    port: intFlag(values, "port", SERVE_DEFAULT_PORT, 1, 65535),
    workers: intFlag(values, "workers", 1, 1, 10_000),
    events: intFlag(values, "intervals", 10, 0),
    dist: {
      kind: choiceFlag(values, "dist", "det", DISTRIBUTION_KINDS, DISTRIBUTION_ALIASES),
      param: numberFlag(values, "param", 1, 0)!,
    },
    seed: seedGiven ? intFlag(values, "seed", 0, 0, 2 ** 32 - 1) : randomSeed(),
    seedGiven,
    verbose: values.verbose === true,
    connectTimeoutMs: durationFlag(values, "connect-timeout", 10_000)!,
  };
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
  return await timestampClient(timestampClientOptions(values));
}

const WORKER_URL = new URL("../client/client_worker.ts", import.meta.url).href;

function runClientWorker(start: ClientWorkerStart): Promise<ClientWorkerResult> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_URL, { type: "module" });
    worker.onmessage = (event: MessageEvent<ClientWorkerMessage>) => {
      const message = event.data;
      if (message.type === "log") {
        console.log(message.line);
        return;
      }
      worker.terminate();
      resolve(message.result);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      worker.terminate();
      resolve({
        worker: start.worker,
        sent: 0,
        activeMs: 0,
        sumIntervalsMs: 0,
        error: event.message,
      });
    };
    worker.postMessage(start);
  });
}

async function timestampClient(options: TimestampClientOptions): Promise<number> {
  const where = `${options.host}:${options.port}`;
  console.log(`Starting ${options.workers} workers connecting to ${where}...`);
  const startedAt = performance.now();
  const results = await Promise.all(
    Array.from({ length: options.workers }, (_, i) =>
      runClientWorker({
        worker: i + 1,
        host: options.host,
        port: options.port,
        events: options.events,
        dist: options.dist,
        seed: options.seed,
        verbose: options.verbose,
        connectTimeoutMs: options.connectTimeoutMs,
      }).then((result) => {
        if (result.error) console.error(`[Worker ${result.worker}] Error: ${result.error}`);
        return result;
      })),
  );
  const elapsedMs = performance.now() - startedAt;
  console.log("All workers have finished.");
  console.log(formatClientSummary(options, results, elapsedMs));
  return results.some((r) => r.error) ? 1 : 0;
}

/** The client's closing summary. */
export function formatClientSummary(
  options: TimestampClientOptions,
  results: readonly ClientWorkerResult[],
  elapsedMs: number,
): string {
  const sent = results.reduce((n, r) => n + r.sent, 0);
  const failed = results.filter((r) => r.error).length;
  const intervals = results.reduce((sum, r) => sum + r.sumIntervalsMs, 0);
  const observed = sent > 0 ? formatMs(intervals / sent) + " ms" : "n/a (nothing sent)";
  return [
    `Events sent: ${sent} of ${
      options.workers * options.events
    } (${options.workers} workers x ${options.events} events)${
      failed ? `, ${failed} workers failed` : ""
    }`,
    `Elapsed: ${
      (elapsedMs / 1000).toFixed(3)
    } s, of which sending (greeting to last event, slowest worker): ${
      (Math.max(0, ...results.map((r) => r.activeMs)) / 1000).toFixed(3)
    } s`,
    `Inter-event time: observed mean ${observed}, theoretical mean ${
      formatMs(meanSeconds(options.dist) * 1000)
    } ms (${describeDistribution(options.dist)})`,
    `Seed: ${options.seed}${options.seedGiven ? "" : " (random; repeat the draws with --seed)"}`,
  ].join("\n");
}

const MENU = "\n1. Change case\n2. Evaluate expression\n3. Reverse string\n4. Exit";
const encoder = new TextEncoder();

/** Sends one request line and returns its reply line (null if the server closed). */
async function request(
  conn: Deno.TcpConn,
  replies: LineReader,
  line: string,
): Promise<string | null> {
  await writeAll(conn, encoder.encode(line + "\n"));
  return await replies.readLine();
}

async function taskClient(values: FlagValues): Promise<number> {
  const host = hostFlag(values, "server", undefined);
  const port = intFlag(values, "port", TASK_DEFAULT_PORT, 1, 65535);
  const timeoutMs = durationFlag(values, "connect-timeout", 10_000)!;
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
  let conn: Deno.TcpConn;
  try {
    conn = await connectTcp(host, port, timeoutMs);
  } catch (error) {
    console.error(`Error: ${describeConnectError(error, host, port)}`);
    return 1;
  }
  const replies = new LineReader(conn);
  try {
    if (op !== undefined) {
      const reply = await request(conn, replies, `${op}|${values.text ?? ""}`);
      if (reply === null) throw new Deno.errors.BrokenPipe("closed");
      console.log(reply);
      return reply.startsWith("Error:") ? 1 : 0;
    }
    return await interactive(conn, replies, host, port);
  } catch (error) {
    console.error(`Error: ${describeConnectError(error, host, port)}`);
    return 1;
  } finally {
    closeQuietly(conn);
  }
}

async function interactive(
  conn: Deno.TcpConn,
  replies: LineReader,
  host: string,
  port: number,
): Promise<number> {
  console.log(`Connected to server at ${host}:${port}`);
  const input = new LineReader(Deno.stdin);
  const prompt = async (text: string) => {
    await writeAll(Deno.stdout, encoder.encode(text));
    return await input.readLine();
  };
  for (;;) {
    console.log(MENU);
    const choice = (await prompt("Enter choice (1-4): "))?.trim();
    if (choice === undefined || choice === "4") {
      if (choice === undefined) console.log("");
      const reply = await request(conn, replies, "4|");
      if (reply !== null) console.log(reply);
      return 0;
    }
    if (!["1", "2", "3"].includes(choice)) {
      console.log(`Invalid choice "${choice}": enter 1, 2, 3 or 4`);
      continue;
    }
    const data = await prompt("Enter input: ");
    if (data === null) return 0;
    const reply = await request(conn, replies, `${choice}|${data}`);
    if (reply === null) {
      console.error("Error: the server closed the connection");
      return 1;
    }
    console.log(`Result: ${reply}`);
  }
}
