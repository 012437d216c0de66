/**
 * `bench sweep`: the reference benchmark of the task server. For each target and client
 * count, `runs` times, that many clients connect at once and each sends one request to a
 * server that holds every reply `--delay`; the time until the last reply is one measurement,
 * and each cell reports the median of its runs.
 *
 * @module
 */

import { summarizeSweep, type SweepMeasurement, type SweepResult } from "./bench_result.ts";
import { type SweepOptions, type Target, targetName } from "./bench_options.ts";
import { UsageError } from "../cli/flags.ts";
import { formatDuration } from "../cli/units.ts";
import { fdShortfall } from "./fd_check.ts";
import { runLoadWorkers } from "./load_workers.ts";
import type { RunContext } from "./run_context.ts";
import { recordRun } from "./run_record.ts";
import { servesOneAtATime, withTarget } from "./targets.ts";

/** The reference benchmark client's request; with no `|`, the task server reverses it. */
export const SWEEP_REQUEST = "BenchmarkTestString123";
/** The reply the reference client expects. */
export const SWEEP_REPLY = [...SWEEP_REQUEST].reverse().join("");

/** Runs the sweep `options` describe. */
export async function runSweep(options: SweepOptions, context: RunContext): Promise<SweepResult> {
  const { targets, clients, runs, delayMs, timeoutMs } = options;
  const shortfall = await fdShortfall(Math.max(...clients));
  if (shortfall) throw new UsageError(shortfall);
  // Clients of a server that serves one at a time wait for all those before them.
  const waitMs = (t: Target, n: number) => servesOneAtATime(t) ? n * delayMs : delayMs;
  const estimate = (t: Target, n: number) => waitMs(t, n) + 50 + n;
  const totalMs = targets.reduce(
    (sum, t) => sum + clients.reduce((s, n) => s + estimate(t, n) * runs, 0),
    0,
  );
  context.log(
    `bench sweep: ${targets.map(targetName).join(", ")} x clients ${
      clients.join(",")
    } x ${runs} runs, delay ${formatDuration(delayMs)}; estimated ${formatDuration(totalMs)}`,
  );
  const progress = context.progress(totalMs);
  const measurements: SweepMeasurement[] = [];
  // The reference servers take each read as the request. Under the default `auto` framing a
  // request without a newline, as the reference client sends it, is taken once the client has
  // been silent for SETTLE_MS, which added 50 ms or more to every measurement.
  const setup = {
    workers: options.serverWorkers,
    args: ["--delay", `${delayMs}ms`, "--framing", "chunk"],
  };
  const measure = (target: Target) =>
    withTarget(target, setup, context, async (host, port) => {
      const name = targetName(target);
      for (const n of clients) {
        for (let run = 1; run <= runs; run++) {
          const { elapsedMs, failures, examples } = await runLoadWorkers(
            {
              host,
              port,
              connections: n,
              requests: 1,
              // As the reference client sends it: no newline, one write.
              request: SWEEP_REQUEST,
              expected: SWEEP_REPLY,
              pace: n,
              io: options.clientIo,
              timeoutMs: timeoutMs + (servesOneAtATime(target) ? n * delayMs : 0),
            },
            options.clientWorkers,
            context.signal,
          );
          measurements.push({
            mode: name,
            clients: n,
            run,
            totalMs: elapsedMs,
            failures,
            examples,
          });
          progress.step(
            estimate(target, n),
            `${name}, ${n} clients, run ${run}: ${(elapsedMs / 1000).toFixed(3)} s`,
          );
        }
      }
    });
  const record = await recordRun(context.argv, async () => {
    for (const target of targets) await measure(target);
  });
  progress.finish();
  return {
    kind: "sweep",
    ...record,
    settings: {
      targets: targets.map(targetName),
      clients,
      runs,
      delayMs,
      request: SWEEP_REQUEST,
      clientIo: options.clientIo,
      clientWorkers: options.clientWorkers,
      timeoutMs,
      serverWorkers: options.serverWorkers,
    },
    measurements,
    cells: summarizeSweep(measurements),
  };
}
