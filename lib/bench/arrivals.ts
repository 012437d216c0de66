/**
 * `bench arrivals`: the experiment of the timestamp lab (reference 000) in one command. For
 * each target × client distribution × worker count, `runs` times: start `serve` in that mode,
 * run the timestamp client against it, stop the server, and keep both sides' figures (the
 * server's summary and every gap from its `--csv`, the client's events and lateness). Each
 * cell's gaps are then judged against theory ({@link fitDataGaps}, {@link fitConnectionGaps}).
 * Against an external `--server` only the client side is measured.
 *
 * @module
 */

import { parse } from "csv-parse";
import {
  type ArrivalsCell,
  type ArrivalsMeasurement,
  type ArrivalsResult,
  type GapStats,
  summarizeArrivals,
} from "./arrivals_result.ts";
import { type ArrivalsOptions, type DistSpec, type Target, targetName } from "./bench_options.ts";
import { formatDuration } from "../cli/units.ts";
import { meanSeconds } from "../stats/distribution.ts";
import { runTimestampPool } from "../client/timestamp_pool.ts";
import { whenAborted } from "./interrupt.ts";
import type { RunContext } from "./run_context.ts";
import { recordRun } from "./run_record.ts";
import { servesOneAtATime, withTarget } from "./targets.ts";

/** Start-up and shut-down of a server, and the client's connect phase, per run. */
const OVERHEAD_MS = 1500;

/** How long a cell should take: its workers' events, one connection after another if queued. */
function cellEstimateMs(target: Target, dist: DistSpec, workers: number, events: number) {
  const connectionMs = events * meanSeconds(dist.dist) * 1000;
  return OVERHEAD_MS + connectionMs * (servesOneAtATime(target) ? workers : 1);
}

/** The server's `--json` summary as far as a cell keeps it. */
function gapStats(json: Record<string, number | null> | undefined): GapStats | null {
  if (!json) return null;
  const n = (key: string) => json[key] ?? NaN;
  return {
    count: n("count"),
    meanMs: n("mean"),
    medianMs: n("median"),
    p95Ms: n("p95"),
    p99Ms: n("p99"),
    maxMs: n("max"),
    cv: n("cv"),
  };
}

/**
 * The connection and data gaps of a `serve --csv` file, in its order, and each connection's
 * life (open to close) in the order the server accepted them.
 */
function csvGaps(text: string): { connection: number[]; data: number[]; lives: number[] } {
  const gaps = { connection: [] as number[], data: [] as number[], lives: [] as number[] };
  const rows = parse(text, { columns: true }) as Record<string, string>[];
  for (const row of rows) {
    if (row.kind === "connection") {
      gaps.lives.push(Number(row.closed_unix_ms) - Number(row.at_unix_ms));
    }
    if (row.interval_ms === "") continue;
    if (row.kind === "connection" || row.kind === "data") {
      gaps[row.kind].push(Number(row.interval_ms));
    }
  }
  return gaps;
}

/**
 * `promise`, or the abort's reason once `signal` aborts: an interrupted run stops waiting for
 * its client, whose workers end on their own once the server is stopped.
 */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  const aborted = whenAborted(signal).then((): never => {
    throw signal.reason;
  });
  aborted.catch(() => {}); // settled by the race below, or never needed
  return Promise.race([promise, aborted]);
}

/** One run of one cell. */
async function measure(
  options: ArrivalsOptions,
  context: RunContext,
  cell: { target: Target; dist: DistSpec; workers: number; run: number },
): Promise<ArrivalsMeasurement> {
  const { target, dist, workers, run } = cell;
  const seed = (options.seed + run - 1) >>> 0;
  const external = target.kind === "server";
  const csv = external ? undefined : await Deno.makeTempFile({ prefix: "socklab_arrivals_" });
  const stdout: string[] = [];
  try {
    const setup = {
      command: "serve" as const,
      workers: options.serverWorkers,
      args: ["--max-connections", String(workers), "--json", ...(csv ? ["--csv", csv] : [])],
      stdout: (line: string) => stdout.push(line),
      // The server's drain time (5 s) and a margin: it ends once the workers' connections close.
      endsWithin: 10_000,
    };
    const pool = await withTarget(target, setup, context, (host, port) =>
      unlessAborted(
        runTimestampPool({
          host,
          port,
          workers,
          events: options.events,
          dist: dist.dist,
          seed,
          verbose: false,
          io: options.clientIo,
          timeoutMs: options.timeoutMs,
          connectTimeoutMs: options.timeoutMs,
        }, { log: () => {}, result: () => {} }),
        context.signal,
      ));
    const results = pool.results;
    const sent = results.reduce((n, r) => n + r.sent, 0);
    const summary = external ? undefined : JSON.parse(stdout.join("\n") || "null");
    const gaps = csv ? csvGaps(await Deno.readTextFile(csv)) : undefined;
    return {
      target: targetName(target),
      dist: dist.text,
      workers,
      run,
      seed,
      client: {
        sent,
        expected: workers * options.events,
        failed: results.filter((r) => r.error).length,
        firstError: results.find((r) => r.error)?.error ?? null,
        meanIntervalMs: sent > 0 ? results.reduce((s, r) => s + r.sumIntervalsMs, 0) / sent : NaN,
        activeMs: results.map((r) => r.activeMs),
        connectMs: Math.max(0, ...results.map((r) => r.greetedMs)),
        lateness: pool.lateness,
      },
      server: summary && gaps
        ? {
          connections: summary.opened,
          messages: summary.messages,
          connection: gapStats(summary.connectionInterArrival),
          data: gapStats(summary.dataInterArrival),
          connectionGapsMs: gaps.connection,
          connectionLivesMs: gaps.lives,
          dataGapsMs: gaps.data,
        }
        : null,
    };
  } finally {
    if (csv) await Deno.remove(csv).catch(() => {});
  }
}

/** Runs the experiment `options` describe. */
export async function runArrivals(
  options: ArrivalsOptions,
  context: RunContext,
): Promise<ArrivalsResult> {
  const { targets, dists, workersList, runs, events } = options;
  const plan = targets.flatMap((target) =>
    dists.flatMap((dist) =>
      workersList.flatMap((workers) =>
        Array.from({ length: runs }, (_, i) => ({ target, dist, workers, run: i + 1 }))
      )
    )
  );
  const estimate = (step: typeof plan[number]) =>
    cellEstimateMs(step.target, step.dist, step.workers, events);
  const totalMs = plan.reduce((sum, step) => sum + estimate(step), 0);
  context.log(
    `bench arrivals: ${targets.map(targetName).join(", ")} x dists ${
      dists.map((d) => d.text).join(",")
    } x workers ${
      workersList.join(",")
    } x ${runs} runs, ${events} events each, seed ${options.seed}; estimated ${
      formatDuration(totalMs)
    }`,
  );
  if (targets.some((t) => t.kind === "server")) {
    context.log(
      "bench arrivals: an external server's gaps cannot be read; only the client side is measured",
    );
  }
  const progress = context.progress(totalMs);
  const measurements: ArrivalsMeasurement[] = [];
  const record = await recordRun(context.argv, async () => {
    for (const step of plan) {
      const m = await measure(options, context, step);
      measurements.push(m);
      const data = m.server?.data;
      progress.step(
        estimate(step),
        `${m.target}, ${m.dist}, ${m.workers} workers, run ${m.run}: ${m.client.sent} sent${
          data ? `, data gaps mean ${data.meanMs.toFixed(1)} ms` : ""
        }`,
      );
    }
  });
  progress.finish();
  const cells: ArrivalsCell[] = summarizeArrivals(
    measurements,
    Object.fromEntries(dists.map((d) => [d.text, d.dist])),
    Object.fromEntries(targets.map((t) => [targetName(t), servesOneAtATime(t)])),
  );
  return {
    kind: "arrivals",
    ...record,
    settings: {
      targets: targets.map(targetName),
      dists: dists.map((d) => d.text),
      workers: workersList,
      events,
      runs,
      seed: options.seed,
      clientIo: options.clientIo,
      serverWorkers: options.serverWorkers,
      timeoutMs: options.timeoutMs,
      measured: targets.some((t) => t.kind === "server")
        ? "the client side only: an external server's gaps cannot be read"
        : "both sides",
    },
    measurements,
    cells,
  };
}
