/**
 * `bench sweep`: the reference benchmark of the task server. For each target and client
 * count, `runs` times, that many clients connect at once and each sends one request to a
 * server that holds every reply `--delay`; the time until the last reply is one measurement,
 * and each cell reports the median of its runs.
 *
 * @module
 */

import {
  failureKindsText,
  sumFailures,
  summarizeSweep,
  type SweepMeasurement,
  type SweepResult,
  totalFailures,
} from "./bench_result.ts";
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
  // An external server's delay is unknown: its steps are estimated from the first measured.
  const external = targets.some((t) => t.kind === "server");
  let measuredMs: number | undefined;
  // Clients of a server that serves one at a time wait for all those before them.
  const waitMs = (t: Target, n: number) => servesOneAtATime(t) ? n * delayMs : delayMs;
  const estimate = (t: Target, n: number) => measuredMs ?? waitMs(t, n) + 50 + n;
  const steps = targets.length * clients.length * runs;
  const totalOf = () =>
    targets.reduce((sum, t) => sum + clients.reduce((s, n) => s + estimate(t, n) * runs, 0), 0);
  const plan = `bench sweep: ${targets.map(targetName).join(", ")} x clients ${
    clients.join(",")
  } x ${runs} runs`;
  context.log(
    external
      ? `${plan}, delay unknown (the server is not one bench started); the estimate comes from the first cell`
      : `${plan}, delay ${formatDuration(delayMs)}; estimated ${formatDuration(totalOf())}`,
  );
  let progress = external ? undefined : context.progress(totalOf());
  const measurements: SweepMeasurement[] = [];
  let stopped: string | undefined;
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
        let failedRequests = 0;
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
          const failed = totalFailures(failures);
          failedRequests += failed;
          measurements.push({
            mode: name,
            clients: n,
            run,
            totalMs: failed > 0 ? null : elapsedMs,
            failures,
            examples,
          });
          if (!progress) {
            measuredMs = elapsedMs;
            context.log(
              `bench sweep: the first run took ${formatDuration(elapsedMs)}; estimated ${
                formatDuration(elapsedMs * steps)
              } in all`,
            );
            progress = context.progress(totalOf());
          }
          progress.step(
            estimate(target, n),
            `${name}, ${n} clients, run ${run}: ${
              failed > 0
                ? `${failed} of ${n} requests failed`
                : `${(elapsedMs / 1000).toFixed(3)} s`
            }`,
          );
        }
        if (failedRequests === n * runs && !options.keepGoing) {
          stopped = `every request of ${name}, ${n} clients failed (${
            failureKindsText(sumFailures(measurements.slice(-runs).map((m) => m.failures)))
          }), so the cells after it would fail too; --keep-going measures them anyway`;
          context.log(`bench sweep: ${stopped}`);
          return;
        }
      }
    });
  const record = await recordRun(context.argv, async () => {
    for (const target of targets) {
      await measure(target);
      if (stopped) break;
    }
  });
  progress?.finish();
  return {
    kind: "sweep",
    ...record,
    settings: {
      targets: targets.map(targetName),
      clients,
      runs,
      delayMs: external ? null : delayMs,
      request: SWEEP_REQUEST,
      clientIo: options.clientIo,
      clientWorkers: options.clientWorkers,
      timeoutMs,
      serverWorkers: options.serverWorkers,
    },
    ...(stopped ? { stopped } : {}),
    measurements,
    cells: summarizeSweep(measurements),
  };
}
