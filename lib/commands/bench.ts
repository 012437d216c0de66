/**
 * `socklab bench`: the reference experiments as one command. `sweep`: for each mode and client
 * count, that many concurrent clients each send one request to a `task-serve --delay`; the
 * total time is measured, the median of `--runs` reported. `scale`: thousands of concurrent
 * connections × requests × bytes, spread over Web Workers, latency in HDR histograms. Servers
 * are socklab's own (child processes, one per mode, on free ports) or `--server HOST:PORT`.
 *
 * This file holds the help, the command line → {@link BenchOptions} parse and the dispatch;
 * the runs live in `lib/bench/`, the reports in `lib/reports/`.
 *
 * @module
 */

import type { BenchResult } from "../bench/bench_result.ts";
import { totalFailures } from "../bench/bench_result.ts";
import type { BenchOptions, ScaleOptions, SweepOptions, Target } from "../bench/bench_options.ts";
import { runScale } from "../bench/scale.ts";
import { runSweep } from "../bench/sweep.ts";
import type { RunContext } from "../bench/run_context.ts";
import { type Interrupts, watchInterrupts } from "../bench/interrupt.ts";
import { prepareOutDir, writeFiles } from "../bench/out_dir.ts";
import {
  choiceFlag,
  choiceListFlag,
  durationFlag,
  type FlagValues,
  hostPortFlag,
  intFlag,
  intListFlag,
  parseFlags,
  sizeFlag,
  UsageError,
} from "../cli/flags.ts";
import { Progress } from "../cli/progress.ts";
import { benchFiles } from "../reports/bench_files.ts";
import { benchTable } from "../reports/bench_text.ts";
import { MODE_NAMES, type ModeName } from "../../modes/mod.ts";

/** `bench --help`. */
export const BENCH_HELP =
  `socklab bench: the reference benchmarks, reproducible, with reports and charts

Usage:
  socklab bench sweep [options]   execution time vs concurrent clients, per mode
  socklab bench scale [options]   many connections x requests x bytes: latency, req/s

sweep: for each mode and client count, --runs times: start that many clients at once,
each sending "BenchmarkTestString123" to a task-serve holding every reply --delay;
the total time until all replies is measured and the median reported.
  --modes LIST           modes to compare (default iter,async,thr,proc)
  --clients LIST         client counts (default 10,20,30,40,50,60,70,80,90,100)
  --runs N               repetitions per cell (default 3)
  --delay DUR            the server's reply delay (default 3s)
  --quick                small preset: clients 5,10,20, delay 200ms, 1 run

scale: for each count, open that many concurrent connections, each doing --requests
round trips of a --size byte line, waiting for each reply.
  --connections LIST     default 100,200,500,1000,1500,2000,2500,3000,4000
  --requests N           per connection (default 100)
  --size BYTES           line size (default 64)
  --modes LIST           server modes (default async)
  --client-workers N     Web Workers generating the load (default: CPU count)
  --pace K               at most K connects in flight (default 256)
  --rate R               open model: R requests/s per connection, latency from the
                         intended send time (default: closed model, send on reply)
  --expect KIND          reverse (task server), echo, any (default reverse)
                         req/s counts the request phase: from the last connect to the
                         last reply, as ldgen does
  --quick                small preset: connections 50,100, 20 requests

Common:
  --server HOST:PORT     measure an external server instead of starting socklab's
  --workers N            pool size of the servers started (default: CPU count)
  --timeout DUR          per connect / request (default 30s)
  --out DIR              write CSV, JSON, report.md and SVG charts into DIR
  -h, --help             show this help

Examples:
  socklab bench sweep --quick --out bench-out
  socklab bench sweep --modes async,thr,proc --clients 100,1000 --runs 3
  socklab bench scale --connections 1000,10000 --modes async,thr --out bench-out

The open-file limit is raised where allowed; counts it cannot reach are named, with
the command that fixes them, before anything starts.`;

const COMMON_FLAGS = ["server", "workers", "timeout", "out"] as const;

/** The flags of each benchmark; a flag of the other one is a usage error, not ignored. */
const KIND_FLAGS = {
  sweep: [...COMMON_FLAGS, "modes", "clients", "runs", "delay", "quick"],
  scale: [
    ...COMMON_FLAGS,
    "modes",
    "connections",
    "requests",
    "size",
    "client-workers",
    "pace",
    "rate",
    "expect",
    "quick",
  ],
} as const;

const FLAGS = Object.fromEntries(
  [...new Set(Object.values(KIND_FLAGS).flat())].map((name) => [
    name,
    { type: name === "quick" ? "boolean" : "string" } as const,
  ]),
);

/** `bench`'s command line as typed options; every mistake is a {@link UsageError}. */
export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values, positionals } = parseFlags(argv, FLAGS, true);
  if (values.help) return { kind: "help" };
  if (positionals.length === 0) {
    throw new UsageError(
      "Missing benchmark: expected bench sweep or bench scale (see bench --help)",
    );
  }
  const [kind, ...extra] = positionals;
  if (kind !== "sweep" && kind !== "scale") {
    throw new UsageError(`Unknown bench "${kind}": expected sweep or scale`);
  }
  if (extra.length > 0) {
    throw new UsageError(`Unexpected argument "${extra[0]}": bench takes one of sweep, scale`);
  }
  const allowed: readonly string[] = KIND_FLAGS[kind];
  const foreign = Object.keys(values).find((flag) => flag !== "help" && !allowed.includes(flag));
  if (foreign) {
    throw new UsageError(`Unknown option "--${foreign}" for bench ${kind}: see bench --help`);
  }
  return kind === "sweep" ? sweepOptions(values) : scaleOptions(values);
}

/** The targets: `--server`, or a server per `--modes` (which excludes `--server`). */
function targets(values: FlagValues, fallback: ModeName[]): Target[] {
  const external = hostPortFlag(values, "server");
  if (!external) {
    return choiceListFlag(values, "modes", fallback, MODE_NAMES).map((mode) => ({
      kind: "mode",
      mode,
    }));
  }
  for (const flag of ["modes", "workers"]) {
    if (values[flag] !== undefined) {
      throw new UsageError(
        `--${flag} sets up the servers bench starts, and with --server it starts none: drop one of them`,
      );
    }
  }
  return [{ kind: "server", ...external }];
}

function common(values: FlagValues, fallbackModes: ModeName[]) {
  return {
    targets: targets(values, fallbackModes),
    serverWorkers: intFlag(values, "workers", navigator.hardwareConcurrency, 0, 1024),
    timeoutMs: durationFlag(values, "timeout", 30_000)!,
    out: typeof values.out === "string" ? values.out : undefined,
  };
}

function sweepOptions(values: FlagValues): SweepOptions {
  const quick = values.quick === true;
  return {
    kind: "sweep",
    ...common(values, [...MODE_NAMES]),
    clients: intListFlag(
      values,
      "clients",
      quick ? [5, 10, 20] : [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
      1,
      100_000,
    ),
    runs: intFlag(values, "runs", quick ? 1 : 3, 1, 1000),
    delayMs: durationFlag(values, "delay", quick ? 200 : 3000)!,
  };
}

function scaleOptions(values: FlagValues): ScaleOptions {
  const quick = values.quick === true;
  return {
    kind: "scale",
    ...common(values, ["async"]),
    connections: intListFlag(
      values,
      "connections",
      quick ? [50, 100] : [100, 200, 500, 1000, 1500, 2000, 2500, 3000, 4000],
      1,
      1_000_000,
    ),
    requests: intFlag(values, "requests", quick ? 20 : 100, 1),
    size: sizeFlag(values, "size", 64, 1, 1 << 20),
    expect: choiceFlag(values, "expect", "reverse", ["reverse", "echo", "any"] as const),
    pace: intFlag(values, "pace", 256, 1),
    rate: values.rate === undefined ? undefined : intFlag(values, "rate", 1, 1),
    clientWorkers: intFlag(values, "client-workers", navigator.hardwareConcurrency, 1, 256),
  };
}

/** Progress and plan lines go to stderr, so that stdout holds the results alone. */
function runContext(args: string[], interrupts: Interrupts): RunContext {
  return {
    argv: ["bench", ...args],
    log: (line) => console.error(line),
    progress: (estimatedMs) =>
      new Progress(estimatedMs, {
        live: Deno.stderr.isTerminal(),
        write: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
      }),
    signal: interrupts.signal,
    forced: interrupts.forced,
  };
}

/** Prints the result, then writes its reports; false if any file could not be written. */
async function report(result: BenchResult, out: string | undefined): Promise<boolean> {
  console.log(benchTable(result));
  if (out === undefined) return true;
  const failed = await writeFiles(out, await benchFiles(result));
  for (const sentence of failed) console.error(`socklab: ${sentence}`);
  if (failed.length === 0) console.log(`Reports written to ${out}/`);
  return failed.length === 0;
}

/**
 * 130 for an interrupted run (as a shell reports Ctrl-C); 1 if a request failed, a count was
 * skipped or a report could not be written; else 0.
 */
function exitCode(result: BenchResult, requested: number, written: boolean): number {
  if (result.interrupted) return 130;
  const steps = result.kind === "sweep" ? result.measurements : result.summaries;
  const failed = steps.some((step) => totalFailures(step.failures) > 0);
  return failed || steps.length < requested || !written ? 1 : 0;
}

/** Runs `bench` with its arguments; returns the exit code. */
export async function bench(args: string[]): Promise<number> {
  const options = parseBenchArgs(args);
  if (options.kind === "help") {
    console.log(BENCH_HELP);
    return 0;
  }
  if (options.out !== undefined) await prepareOutDir(options.out);
  const interrupts = watchInterrupts();
  try {
    const context = runContext(args, interrupts);
    const result = options.kind === "sweep"
      ? await runSweep(options, context)
      : await runScale(options, context);
    const written = await report(result, options.out);
    const requested = options.targets.length *
      (options.kind === "sweep"
        ? options.clients.length * options.runs
        : options.connections.length);
    return exitCode(result, requested, written);
  } finally {
    interrupts.dispose();
  }
}
