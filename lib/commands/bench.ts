/**
 * `socklab bench`: the reference experiments as one command. `sweep`: for each mode and client
 * count, that many concurrent clients each send one request to a `task-serve --delay`; the
 * total time is measured, the median of `--runs` reported. `scale`: thousands of concurrent
 * connections × requests × bytes, spread over Web Workers, latency in HDR histograms. Servers
 * are socklab's own (child processes, one per mode, on free ports) or `--server HOST:PORT`.
 *
 * @module
 */

import {
  type FailureCounts,
  type ScaleConnectionRow,
  type ScaleResult,
  type ScaleSummary,
  summarizeSweep,
  type SweepMeasurement,
  type SweepResult,
  totalFailures,
} from "../bench/bench_result.ts";
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
import { fdAdvice, fdsNeeded, raiseFdLimit } from "../net/fd_limit.ts";
import { decodeHistogram, mergeHistograms, summarizeLatency } from "../stats/histogram.ts";
import { Progress } from "../cli/progress.ts";
import { benchFiles } from "../reports/bench_files.ts";
import { benchTable } from "../reports/bench_text.ts";
import { startServerProcess } from "../server/server_process.ts";
import { closeQuietly, writeAll } from "../server/session.ts";
import { formatDuration } from "../cli/units.ts";
import { MODE_NAMES, type ModeName } from "../../modes/mod.ts";
import {
  type LoadWorkerResult,
  type LoadWorkerStart,
  requestPhaseRate,
} from "../bench/load_worker.ts";

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
  --out DIR              write CSV, JSON, report.md, report.html and SVG charts into DIR
  -h, --help             show this help

Examples:
  socklab bench sweep --quick --out bench-out
  socklab bench sweep --modes async,thr,proc --clients 100,1000 --runs 3
  socklab bench scale --connections 1000,10000 --modes async,thr --out bench-out

The open-file limit is raised where allowed; counts it cannot reach are named, with
the command that fixes them, before anything starts.`;

const FLAGS = {
  modes: { type: "string" },
  clients: { type: "string" },
  runs: { type: "string" },
  delay: { type: "string" },
  quick: { type: "boolean" },
  connections: { type: "string" },
  requests: { type: "string" },
  size: { type: "string" },
  "client-workers": { type: "string" },
  pace: { type: "string" },
  rate: { type: "string" },
  expect: { type: "string" },
  server: { type: "string" },
  workers: { type: "string" },
  timeout: { type: "string" },
  out: { type: "string" },
} as const;

/** A benchmark target: socklab's own server in a mode, or an external one. */
interface Target {
  name: string;
  mode?: ModeName;
}

/** Runs `bench` with its arguments; returns the exit code. */
export async function bench(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, FLAGS, true);
  if (values.help) {
    console.log(BENCH_HELP);
    return 0;
  }
  if (positionals.length === 0) {
    throw new UsageError(
      "Missing benchmark: expected bench sweep or bench scale (see bench --help)",
    );
  }
  const [kind, ...extra] = positionals;
  if (extra.length > 0) {
    throw new UsageError(`Unexpected argument "${extra[0]}": bench takes one of sweep, scale`);
  }
  if (kind === "sweep") return await sweep(values);
  if (kind === "scale") return await scale(values);
  throw new UsageError(`Unknown bench "${kind}": expected sweep or scale`);
}

function targets(values: FlagValues, fallback: ModeName[]): Target[] {
  const external = hostPortFlag(values, "server");
  if (external) return [{ name: `${external.host}:${external.port}` }];
  return choiceListFlag(values, "modes", fallback, MODE_NAMES).map((mode) => ({
    name: mode,
    mode,
  }));
}

/** Starts the target's server (unless external) and runs `body` against it. */
async function withTarget<T>(
  target: Target,
  values: FlagValues,
  serverArgs: string[],
  body: (host: string, port: number) => Promise<T>,
): Promise<T> {
  const external = hostPortFlag(values, "server");
  if (external) return await body(external.host, external.port);
  const server = await startServerProcess(
    [
      "task-serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--mode",
      target.mode!,
      "--workers",
      String(intFlag(values, "workers", navigator.hardwareConcurrency, 0, 1024)),
      ...serverArgs,
    ],
    (line, stream) => {
      if (stream === "stderr" && line.startsWith("warning:")) {
        console.error(`[server ${target.name}] ${line}`);
      }
    },
  );
  try {
    return await body("127.0.0.1", server.port);
  } finally {
    await server.stop();
  }
}

const progressFor = (estimatedMs: number) =>
  new Progress(estimatedMs, {
    live: Deno.stderr.isTerminal(),
    write: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
  });

async function writeOut(values: FlagValues, result: SweepResult | ScaleResult): Promise<void> {
  console.log(benchTable(result));
  if (typeof values.out !== "string") return;
  await Deno.mkdir(values.out, { recursive: true });
  for (const [name, content] of Object.entries(await benchFiles(result))) {
    await Deno.writeTextFile(`${values.out}/${name}`, content);
  }
  console.log(`Reports written to ${values.out}/`);
}

const SWEEP_REQUEST = "BenchmarkTestString123";
const SWEEP_REPLY = [...SWEEP_REQUEST].reverse().join("");

/**
 * One sweep measurement: `clients` connect at once, each sends one request and waits for its
 * reply; the total time until the last reply. Kept lean (no per-client timers or large
 * buffers) so that the client adds as little as possible to what is measured; one deadline
 * for the whole run closes whatever is still open and counts it as failed.
 */
async function sweepOnce(
  host: string,
  port: number,
  clients: number,
  timeoutMs: number,
): Promise<{ totalMs: number; failures: number }> {
  const request = new TextEncoder().encode(SWEEP_REQUEST + "\n");
  const expected = new TextEncoder().encode(SWEEP_REPLY + "\n");
  const open = new Set<Deno.TcpConn>();
  const deadline = setTimeout(() => open.forEach(closeQuietly), timeoutMs);
  let failures = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    let conn: Deno.TcpConn | undefined;
    try {
      conn = await Deno.connect({ hostname: host, port });
      open.add(conn);
      await writeAll(conn, request);
      const reply = new Uint8Array(expected.length);
      let got = 0;
      while (got < reply.length) {
        const n = await conn.read(reply.subarray(got));
        if (n === null) break;
        got += n;
      }
      if (got !== reply.length || reply.some((byte, i) => byte !== expected[i])) failures++;
    } catch {
      failures++;
    } finally {
      if (conn) {
        open.delete(conn);
        closeQuietly(conn);
      }
    }
  }));
  clearTimeout(deadline);
  return { totalMs: performance.now() - start, failures };
}

async function sweep(values: FlagValues): Promise<number> {
  const quick = values.quick === true;
  const list = targets(values, [...MODE_NAMES]);
  const clients = intListFlag(
    values,
    "clients",
    quick ? [5, 10, 20] : [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
    1,
    100_000,
  );
  const runs = intFlag(values, "runs", quick ? 1 : 3, 1, 1000);
  const delayMs = durationFlag(values, "delay", quick ? 200 : 3000)!;
  const timeoutMs = durationFlag(values, "timeout", 30_000)!;
  await ensureFds(Math.max(...clients), true);
  const estimate = (t: Target, n: number) => (t.mode === "iter" ? n * delayMs : delayMs) + 50 + n;
  const totalMs = list.reduce(
    (sum, t) => sum + clients.reduce((s, n) => s + estimate(t, n) * runs, 0),
    0,
  );
  console.log(
    `bench sweep: ${list.map((t) => t.name).join(", ")} x clients ${
      clients.join(",")
    } x ${runs} runs, delay ${formatDuration(delayMs)}; estimated ${formatDuration(totalMs)}`,
  );
  const progress = progressFor(totalMs);
  const measurements: SweepMeasurement[] = [];
  for (const target of list) {
    await withTarget(target, values, ["--delay", `${delayMs}ms`], async (host, port) => {
      for (const n of clients) {
        for (let run = 1; run <= runs; run++) {
          const { totalMs, failures } = await sweepOnce(
            host,
            port,
            n,
            timeoutMs + (target.mode === "iter" ? n * delayMs : 0),
          );
          measurements.push({ mode: target.name, clients: n, run, totalMs, failures });
          progress.step(
            estimate(target, n),
            `${target.name}, ${n} clients, run ${run}: ${(totalMs / 1000).toFixed(3)} s`,
          );
        }
      }
    });
  }
  progress.finish();
  const result: SweepResult = {
    kind: "sweep",
    startedAt: new Date().toISOString(),
    settings: { targets: list.map((t) => t.name), clients, runs, delayMs, request: SWEEP_REQUEST },
    measurements,
    cells: summarizeSweep(measurements),
  };
  await writeOut(values, result);
  return measurements.some((m) => m.failures > 0) ? 1 : 0;
}

/** Raises the fd limit for `count` connections; false (and says why) when it cannot. */
async function ensureFds(count: number, fatal: boolean): Promise<boolean> {
  const limit = await raiseFdLimit(fdsNeeded(count));
  if (!limit || limit.soft >= fdsNeeded(count)) return true;
  const message = fdAdvice(count, limit);
  if (fatal) throw new UsageError(message);
  console.error(`warning: ${message}`);
  return false;
}

const LOAD_WORKER_URL = new URL("../bench/load_worker.ts", import.meta.url).href;

function runLoadWorker(start: LoadWorkerStart): Promise<LoadWorkerResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_WORKER_URL, { type: "module" });
    worker.onmessage = (event: MessageEvent<LoadWorkerResult>) => {
      worker.terminate();
      resolve(event.data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      worker.terminate();
      reject(new Error(`A load worker failed: ${event.message}`));
    };
    worker.postMessage(start);
  });
}

async function scaleOnce(
  target: string,
  host: string,
  port: number,
  connections: number,
  settings: Omit<LoadWorkerStart, "host" | "port" | "first" | "count">,
  clientWorkers: number,
): Promise<{ summary: ScaleSummary; rows: ScaleConnectionRow[] }> {
  const workers = Math.min(clientWorkers, connections);
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: workers }, (_, w) => {
    const first = Math.floor((connections * w) / workers);
    const next = Math.floor((connections * (w + 1)) / workers);
    return runLoadWorker({ ...settings, host, port, first: first + 1, count: next - first });
  }));
  const elapsedMs = performance.now() - started;
  const failures: FailureCounts = { connect: 0, reset: 0, timeout: 0, mismatch: 0 };
  const rows: ScaleConnectionRow[] = [];
  let requests = 0, bytes = 0;
  for (const r of results) {
    for (const kind of Object.keys(failures) as (keyof FailureCounts)[]) {
      failures[kind] += r.failures[kind];
    }
    requests += r.requests;
    bytes += r.bytes;
    for (const c of r.connections) rows.push({ target, connections, ...c });
  }
  rows.sort((a, b) => a.conn - b.conn);
  const mean = (xs: number[]) => xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
  const latency = summarizeLatency(
    mergeHistograms(results.map((r) => decodeHistogram(r.histogram))),
  );
  return {
    rows,
    summary: {
      target,
      connections,
      requests,
      bytes,
      meanDurationMs: mean(rows.map((r) => r.durationMs)),
      meanResponseMs: mean(rows.filter((r) => r.requests > 0).map((r) => r.meanResponseMs)),
      latency,
      elapsedMs,
      // Over the request phase (after the last connect), as ldgen rates its runs.
      requestsPerSec: requestPhaseRate(results) ?? requests / (elapsedMs / 1000),
      failures,
    },
  };
}

async function scale(values: FlagValues): Promise<number> {
  const quick = values.quick === true;
  const list = targets(values, ["async"]);
  const counts = intListFlag(
    values,
    "connections",
    quick ? [50, 100] : [100, 200, 500, 1000, 1500, 2000, 2500, 3000, 4000],
    1,
    1_000_000,
  );
  const requests = intFlag(values, "requests", quick ? 20 : 100, 1);
  const size = sizeFlag(values, "size", 64, 1, 1 << 20);
  const clientWorkers = intFlag(values, "client-workers", navigator.hardwareConcurrency, 1, 256);
  const settings = {
    requests,
    size,
    expect: choiceFlag(values, "expect", "reverse", ["reverse", "echo", "any"] as const),
    pace: intFlag(values, "pace", 256, 1),
    timeoutMs: durationFlag(values, "timeout", 30_000)!,
    rate: values.rate === undefined ? undefined : intFlag(values, "rate", 1, 1),
  };
  const reachable: number[] = [];
  for (const count of counts) if (await ensureFds(count, false)) reachable.push(count);
  if (reachable.length === 0) return 1;
  const estimate = (n: number) => 500 + n * requests * 0.02;
  const totalMs = list.length * reachable.reduce((s, n) => s + estimate(n), 0);
  console.log(
    `bench scale: ${list.map((t) => t.name).join(", ")} x connections ${
      reachable.join(",")
    } x ${requests} requests x ${size} B over ${clientWorkers} client workers; estimated ${
      formatDuration(totalMs)
    }`,
  );
  const progress = progressFor(totalMs);
  const rows: ScaleConnectionRow[] = [];
  const summaries: ScaleSummary[] = [];
  for (const target of list) {
    await withTarget(target, values, [], async (host, port) => {
      for (const n of reachable) {
        const once = await scaleOnce(target.name, host, port, n, settings, clientWorkers);
        rows.push(...once.rows);
        summaries.push(once.summary);
        progress.step(
          estimate(n),
          `${target.name}, ${n} connections: ${Math.round(once.summary.requestsPerSec)} req/s, ${
            totalFailures(once.summary.failures)
          } failures`,
        );
      }
    });
  }
  progress.finish();
  const result: ScaleResult = {
    kind: "scale",
    startedAt: new Date().toISOString(),
    settings: {
      targets: list.map((t) => t.name),
      connections: reachable,
      clientWorkers,
      ...settings,
    },
    connections: rows,
    summaries,
  };
  await writeOut(values, result);
  return summaries.some((s) => totalFailures(s.failures) > 0) || reachable.length < counts.length
    ? 1
    : 0;
}
