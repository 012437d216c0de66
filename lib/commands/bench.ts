/**
 * `socklab bench`: the reference experiments as one command. `sweep`: for each mode and client
 * count, that many concurrent clients each send one request to a `task-serve --delay`; the
 * total time is measured, the median of `--runs` reported. `scale`: thousands of concurrent
 * connections × requests × bytes, spread over Web Workers, latency in HDR histograms. Servers
 * are socklab's own (child processes, one per mode, on free ports) or `--server HOST:PORT`.
 * `arrivals`: the timestamp lab, a `serve` per mode × client distribution × workers, its
 * inter-arrival times judged against the distribution the client drew.
 * `merge`: one report from scale runs made on several load hosts at once.
 *
 * This file holds the help, the command line → {@link BenchOptions} parse and the dispatch;
 * the runs live in `lib/bench/`, the reports in `lib/reports/`.
 *
 * @module
 */

import type { BenchResult } from "../bench/bench_result.ts";
import { totalFailures } from "../bench/bench_result.ts";
import {
  type ArrivalsOptions,
  type BenchOptions,
  DEFAULT_CLIENT_IO,
  type DistSpec,
  type MergeOptions,
  type ScaleOptions,
  type SweepOptions,
  type Target,
} from "../bench/bench_options.ts";
import { runScale } from "../bench/scale.ts";
import { runSweep } from "../bench/sweep.ts";
import { runArrivals } from "../bench/arrivals.ts";
import { parseDist } from "../bench/dist_spec.ts";
import { randomSeed } from "../stats/rng.ts";
import { MergeError, mergeScaleResults } from "../bench/merge.ts";
import type { RunContext } from "../bench/run_context.ts";
import { runEnvironment } from "../bench/run_record.ts";
import { readScaleResults } from "../bench/result_files.ts";
import { parseStartAt, startAtProblem } from "../bench/start_at.ts";
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
import { benchFiles, resultJson } from "../reports/bench_files.ts";
import { benchTable } from "../reports/bench_text.ts";
import { MODE_NAMES, type ModeName } from "../../modes/mod.ts";
import { IO_NAMES } from "../net/transport.ts";

/** `bench --help`. */
export const BENCH_HELP =
  `socklab bench: the reference benchmarks, reproducible, with reports and charts

Usage:
  socklab bench sweep [options]            execution time vs concurrent clients, per mode
  socklab bench scale [options]            many connections x requests x bytes: latency, req/s
  socklab bench arrivals [options]         the timestamp lab: inter-arrival times vs theory
  socklab bench merge A.json B.json ...    one report from scale runs on several hosts

sweep: for each mode and client count, --runs times: start that many clients at once,
each sending "BenchmarkTestString123" to a task-serve holding every reply --delay
(with --framing chunk: each read is the request, as the reference servers take it);
the total time until all replies is measured and the median reported.
  --modes LIST           modes to compare (default iter,async,thr,proc)
  --clients LIST         client counts (default 10,20,30,40,50,60,70,80,90,100)
  --runs N               repetitions per cell (default 3)
  --delay DUR            the server's reply delay (default 3s)
  --quick                small preset: clients 5,10,20, delay 200ms, 1 run
  --keep-going           go on after a cell in which every request failed (by default
                         the sweep stops there and says why)
  A run in which a request failed (refused, reset, timed out, a wrong reply) has no
  execution time: its cell says "failed" where no run had one.

scale: for each count, open that many concurrent connections, each doing --requests
round trips of a --size byte line, waiting for each reply.
  --connections LIST     default 100,200,500,1000,1500,2000,2500,3000,4000
  --requests N           per connection (default 100)
  --size BYTES           line size (default 64)
  --modes LIST           server modes (default async)
  --pace K               at most K connects in flight (default 256)
  --rate R               open model: R requests/s per connection, latency from the
                         intended send time (default: closed model, send on reply)
  --expect KIND          reverse (task server), echo, any (default reverse)
                         req/s counts the request phase, as ldgen -P does: each
                         connection's first round trip confirms it, and the rest
                         start once all have; from then to the last reply
  --start-at TIME        begin the first count at TIME (ISO, e.g. 2030-01-02T03:04:05Z,
                         or epoch ms), so that load hosts start together; their clocks
                         must agree (NTP keeps them within a few ms); later counts follow
                         at each host's own pace; more than 1 s past is an error
  --quick                small preset: connections 50,100, 20 requests

arrivals: for each mode, client distribution and worker count, --runs times: start
serve in that mode, run the timestamp client (each worker one connection, --intervals
events drawn from the distribution), let the server end, and keep both sides' figures.
Per cell the server's data gaps are set against the distribution drawn: theoretical
and measured mean (95% CI) and CV, Kolmogorov-Smirnov (u, e) or the spread around the
interval (d), and a verdict; its connection gaps against the client's opening them all
at once, or for iter against queueing (each accepted when the previous one ended).
  --modes LIST           modes to compare (default iter,async,thr,proc)
  --dists LIST           client distributions in the client's notation: d:TIME
                         (deterministic), u:T (uniform on [0, T]), e:RATE (exponential,
                         RATE per second); times take units or are seconds
                         (default u:2s,d:1s,e:1, the reference's)
  --workers-list LIST    client workers per cell (default 3)
  --intervals N          events per worker (default 5)
  --runs N               repetitions per cell, pooled (default 1)
  --seed N               draws of run r use N + r - 1 (default: random, recorded)
  --quick                small preset: modes iter,async, dists d:20ms,e:50,
                         15 events (under 30 s)
  With --server only the client side is measured: the report says so.

merge: the JSON results of scale runs made at once from several hosts (--json output
or scale.json) as one report: counts summed, percentiles from the merged latency
histograms, req/s over the earliest first request to the latest last reply, and a
row per source so that a lagging host shows. Takes --out and --json.

Common:
  --server HOST:PORT     measure an external server instead of starting socklab's
  --workers N            pool size of the servers started (default: CPU count)
  --io LIST              socket APIs of the servers started, compared side by side:
                         deno, node (default: each mode's own, see BENCHMARKS.md)
  --client-io API        the load generator's socket API (default node)
  --client-workers N     Web Workers generating the load (default: CPU count); they
                         start connecting together
  --timeout DUR          per connect / request (default 30s)
  --out DIR              write CSV, JSON, report.md, report.html and SVG charts into DIR
  --json                 print the result as JSON on stdout (the table goes to stderr)
  -h, --help             show this help

Examples:
  socklab bench sweep --quick --out bench-out
  socklab bench sweep --modes async,thr,proc --clients 100,1000 --runs 3
  socklab bench arrivals --quick --out arrivals-out
  socklab bench arrivals --modes iter,thr,proc --dists u:2s,d:1s,e:1 --seed 1
  socklab bench scale --connections 1000,10000 --modes async,thr --out bench-out
  socklab bench scale --server 10.0.0.5:65432 --connections 5000 \\
      --start-at 2030-01-02T03:04:05Z --json > host1.json      (on every load host)
  socklab bench merge host1.json host2.json host3.json --out merged

The open-file limit is raised where allowed; counts it cannot reach are named, with
the command that fixes them, before anything starts.

Exit codes: 0 every request answered as expected, 1 a request failed, a count was skipped
or a report file could not be written (the table is still printed), 2 usage error (an
--out that cannot be written is one, found before anything starts), 130 interrupted.`;

const COMMON_FLAGS = [
  "server",
  "workers",
  "io",
  "client-io",
  "client-workers",
  "timeout",
  "out",
  "json",
] as const;

/** The flags of each benchmark; a flag of another one is a usage error, not ignored. */
const KIND_FLAGS = {
  sweep: [...COMMON_FLAGS, "modes", "clients", "runs", "delay", "quick", "keep-going"],
  scale: [
    ...COMMON_FLAGS,
    "modes",
    "connections",
    "requests",
    "size",
    "pace",
    "rate",
    "expect",
    "start-at",
    "quick",
  ],
  // Its client's threads follow its workers, as the timestamp client's do: no --client-workers.
  arrivals: [
    "server",
    "workers",
    "io",
    "client-io",
    "timeout",
    "out",
    "json",
    "modes",
    "dists",
    "workers-list",
    "intervals",
    "runs",
    "seed",
    "quick",
  ],
  merge: ["out", "json"],
} as const;

const BOOLEAN_FLAGS = new Set(["quick", "json", "keep-going"]);

const FLAGS = Object.fromEntries(
  [...new Set(Object.values(KIND_FLAGS).flat())].map((name) => [
    name,
    { type: BOOLEAN_FLAGS.has(name) ? "boolean" : "string" } as const,
  ]),
);

/** `bench`'s command line as typed options; every mistake is a {@link UsageError}. */
export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values, positionals } = parseFlags(argv, FLAGS, true);
  if (values.help) return { kind: "help" };
  if (positionals.length === 0) {
    throw new UsageError(
      "Missing benchmark: expected bench sweep, bench scale, bench arrivals or bench merge (see bench --help)",
    );
  }
  const [kind, ...extra] = positionals;
  if (!(kind in KIND_FLAGS)) {
    throw new UsageError(`Unknown bench "${kind}": expected sweep, scale, arrivals or merge`);
  }
  if (kind !== "merge" && extra.length > 0) {
    throw new UsageError(`Unexpected argument "${extra[0]}": bench ${kind} takes only options`);
  }
  const allowed: readonly string[] = KIND_FLAGS[kind as keyof typeof KIND_FLAGS];
  const foreign = Object.keys(values).find((flag) => flag !== "help" && !allowed.includes(flag));
  if (foreign) {
    throw new UsageError(`Unknown option "--${foreign}" for bench ${kind}: see bench --help`);
  }
  if (kind === "merge") return mergeOptions(values, extra);
  if (kind === "arrivals") return arrivalsOptions(values);
  return kind === "sweep" ? sweepOptions(values) : scaleOptions(values);
}

/** The targets: `--server`, or a server per `--modes` (which excludes `--server`). */
function targets(values: FlagValues, fallback: ModeName[]): Target[] {
  const external = hostPortFlag(values, "server");
  if (!external) {
    const modes = choiceListFlag(values, "modes", fallback, MODE_NAMES);
    if (values.io === undefined) return modes.map((mode) => ({ kind: "mode", mode }));
    const ios = choiceListFlag(values, "io", [], IO_NAMES);
    return modes.flatMap((mode) => ios.map((io) => ({ kind: "mode", mode, io })));
  }
  for (const flag of ["modes", "workers", "io", "delay"]) {
    if (values[flag] !== undefined) {
      throw new UsageError(
        `--${flag} sets up the servers bench starts, and with --server it starts none: drop one of them`,
      );
    }
  }
  return [{ kind: "server", ...external }];
}

function output(values: FlagValues) {
  return {
    out: typeof values.out === "string" ? values.out : undefined,
    json: values.json === true,
  };
}

function common(values: FlagValues, fallbackModes: ModeName[]) {
  return {
    targets: targets(values, fallbackModes),
    clientIo: choiceFlag(values, "client-io", DEFAULT_CLIENT_IO, IO_NAMES),
    clientWorkers: intFlag(values, "client-workers", navigator.hardwareConcurrency, 1, 256),
    serverWorkers: intFlag(values, "workers", navigator.hardwareConcurrency, 0, 1024),
    timeoutMs: durationFlag(values, "timeout", 30_000)!,
    ...output(values),
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
    keepGoing: values["keep-going"] === true,
  };
}

function scaleOptions(values: FlagValues): ScaleOptions {
  const quick = values.quick === true;
  const startAt = typeof values["start-at"] === "string" ? values["start-at"] : undefined;
  const startAtMs = startAt === undefined ? undefined : parseStartAt(startAt);
  if (startAt !== undefined && startAtMs === undefined) {
    throw new UsageError(
      `Invalid --start-at "${startAt}": expected an ISO time such as 2030-01-02T03:04:05Z or epoch milliseconds`,
    );
  }
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
    startAt: startAtMs,
  };
}

/** `--dists`: a comma-separated list of client distributions such as `d:1s,u:2s,e:1`. */
function distsFlag(values: FlagValues, fallback: string): DistSpec[] {
  const text = typeof values.dists === "string" ? values.dists : fallback;
  return text.split(",").map((item) => {
    const dist = parseDist(item);
    if (!dist) {
      throw new UsageError(
        `Invalid --dists "${text}": "${item}" is not a distribution; expected a list such as d:1s,u:2s,e:1 (d:TIME, u:T, e:RATE per second)`,
      );
    }
    return { text: item.trim(), dist };
  });
}

function arrivalsOptions(values: FlagValues): ArrivalsOptions {
  const quick = values.quick === true;
  const { targets, clientIo, serverWorkers, timeoutMs, out, json } = common(
    values,
    quick ? ["iter", "async"] : [...MODE_NAMES],
  );
  return {
    kind: "arrivals",
    targets,
    dists: distsFlag(values, quick ? "d:20ms,e:50" : "u:2s,d:1s,e:1"),
    workersList: intListFlag(values, "workers-list", [3], 1, 10_000),
    events: intFlag(values, "intervals", quick ? 15 : 5, 1),
    runs: intFlag(values, "runs", 1, 1, 1000),
    seed: values.seed === undefined ? randomSeed() : intFlag(values, "seed", 0, 0, 2 ** 32 - 1),
    clientIo,
    serverWorkers,
    timeoutMs,
    out,
    json,
  };
}

function mergeOptions(values: FlagValues, files: string[]): MergeOptions {
  if (files.length === 0) {
    throw new UsageError(
      "Missing files: expected bench merge A.json B.json ..., the JSON results of bench scale",
    );
  }
  return { kind: "merge", files, ...output(values) };
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

/**
 * Prints the result (the table, or with `json` the JSON, the table then going to stderr),
 * then writes its reports; false if any file could not be written.
 */
async function report(result: BenchResult, options: { out?: string; json: boolean }) {
  const say = options.json ? console.error : console.log;
  say(benchTable(result));
  if (options.json) console.log(resultJson(result).trimEnd());
  if (options.out === undefined) return true;
  const failed = await writeFiles(options.out, await benchFiles(result));
  for (const sentence of failed) console.error(`socklab: ${sentence}`);
  if (failed.length === 0) say(`Reports written to ${options.out}/`);
  return failed.length === 0;
}

/**
 * 130 for an interrupted run (as a shell reports Ctrl-C); 1 if a request failed, a count was
 * skipped or a report could not be written; else 0.
 */
function exitCode(result: BenchResult, written: boolean): number {
  if (result.interrupted) return 130;
  const failed = result.kind === "arrivals"
    ? result.measurements.some((m) => m.client.failed > 0)
    : (result.kind === "sweep" ? result.measurements : result.summaries)
      .some((step) => totalFailures(step.failures) > 0);
  const skipped = result.kind === "scale" && result.skipped.length > 0;
  return failed || skipped || !written ? 1 : 0;
}

async function merge(options: MergeOptions, args: string[]): Promise<BenchResult> {
  const sources = await readScaleResults(options.files);
  try {
    return mergeScaleResults(sources, await runEnvironment(["bench", ...args]));
  } catch (error) {
    if (error instanceof MergeError) throw new UsageError(error.message);
    throw error;
  }
}

/** Runs `bench` with its arguments; returns the exit code. */
export async function bench(args: string[]): Promise<number> {
  const options = parseBenchArgs(args);
  if (options.kind === "help") {
    console.log(BENCH_HELP);
    return 0;
  }
  if (options.kind === "scale" && options.startAt !== undefined) {
    const late = startAtProblem(options.startAt, Date.now());
    if (late) throw new UsageError(late);
  }
  if (options.out !== undefined) await prepareOutDir(options.out);
  if (options.kind === "merge") {
    const result = await merge(options, args);
    return exitCode(result, await report(result, options));
  }
  const interrupts = watchInterrupts();
  try {
    const context = runContext(args, interrupts);
    const result = options.kind === "sweep"
      ? await runSweep(options, context)
      : options.kind === "arrivals"
      ? await runArrivals(options, context)
      : await runScale(options, context);
    return exitCode(result, await report(result, options));
  } finally {
    interrupts.dispose();
  }
}
