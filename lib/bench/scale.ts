/**
 * `bench scale`: the reference scale test. For each target and count, that many concurrent
 * connections each do `requests` round trips of a `size`-byte line; per count the totals,
 * mean duration and response time per connection, latency percentiles of every request,
 * requests per second and failures by kind.
 *
 * @module
 */

import type {
  ScaleConnectionRow,
  ScaleResult,
  ScaleSummary,
  SkippedCount,
} from "./bench_result.ts";
import { connectionMeans, totalFailures } from "./bench_result.ts";
import { type Expect, type ScaleOptions, type Target, targetName } from "./bench_options.ts";
import { formatDuration } from "../cli/units.ts";
import { encodeHistogram, summarizeLatency } from "../stats/histogram.ts";
import { fdShortfall } from "./fd_check.ts";
import { type LoadOutcome, runLoadWorkers } from "./load_workers.ts";
import type { RunContext } from "./run_context.ts";
import { recordRun } from "./run_record.ts";
import { withTarget } from "./targets.ts";

/** The request line (without newline) for a payload size: no `|`, so the task server reverses it. */
export function payloadFor(size: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  let text = "";
  for (let i = 0; i < size; i++) text += alphabet[i % alphabet.length];
  return text;
}

/** The reply a payload should get; undefined when any reply will do. */
export function expectedReply(payload: string, expect: Expect): string | undefined {
  if (expect === "any") return undefined;
  return expect === "echo" ? payload : [...payload].reverse().join("");
}

/** A step's summary and rows from what its load measured. */
function summarizeStep(
  target: string,
  connections: number,
  outcome: LoadOutcome,
): { summary: ScaleSummary; rows: ScaleConnectionRow[] } {
  const rows = outcome.rows.map((c) => ({ target, connections, ...c }));
  return {
    rows,
    summary: {
      target,
      connections,
      requests: outcome.requests,
      bytes: outcome.bytes,
      ...connectionMeans(rows),
      latency: summarizeLatency(outcome.histogram),
      elapsedMs: outcome.elapsedMs,
      // Over the request phase (after the start barrier), as ldgen -P rates its runs.
      requestsPerSec: outcome.requestsPerSec,
      failures: outcome.failures,
      examples: outcome.examples,
      histogram: encodeHistogram(outcome.histogram),
      requestPhase: outcome.requestPhase,
    },
  };
}

/** Runs the scale test `options` describe. */
export async function runScale(options: ScaleOptions, context: RunContext): Promise<ScaleResult> {
  const { targets, requests, size, clientWorkers } = options;
  const reachable: number[] = [];
  const skipped: SkippedCount[] = [];
  for (const count of options.connections) {
    const reason = await fdShortfall(count);
    if (reason) {
      context.log(`warning: skipping ${count} connections: ${reason}`);
      skipped.push({ connections: count, reason });
    } else reachable.push(count);
  }
  const estimate = (n: number) => 500 + n * requests * 0.02;
  const totalMs = targets.length * reachable.reduce((s, n) => s + estimate(n), 0);
  context.log(
    `bench scale: ${targets.map(targetName).join(", ")} x connections ${
      reachable.join(",")
    } x ${requests} requests x ${size} B over ${clientWorkers} client workers; estimated ${
      formatDuration(totalMs)
    }${
      options.startAt === undefined
        ? ""
        : `; starting at ${new Date(options.startAt).toISOString()}`
    }`,
  );
  const payload = payloadFor(size);
  const load = {
    requests,
    request: payload + "\n",
    expected: expectedReply(payload, options.expect),
    pace: options.pace,
    io: options.clientIo,
    timeoutMs: options.timeoutMs,
    rate: options.rate,
  };
  const progress = context.progress(totalMs);
  const rows: ScaleConnectionRow[] = [];
  const summaries: ScaleSummary[] = [];
  const setup = { workers: options.serverWorkers, args: [] };
  // Only the first step waits: the hosts begin together, then each goes on at its own pace.
  let startAt = options.startAt;
  const measure = (target: Target) =>
    withTarget(target, setup, context, async (host, port) => {
      const name = targetName(target);
      for (const n of reachable) {
        const plan = { ...load, host, port, connections: n, startAt };
        startAt = undefined;
        const outcome = await runLoadWorkers(plan, clientWorkers, context.signal);
        const step = summarizeStep(name, n, outcome);
        rows.push(...step.rows);
        summaries.push(step.summary);
        progress.step(
          estimate(n),
          `${name}, ${n} connections: ${Math.round(step.summary.requestsPerSec)} req/s, ${
            totalFailures(step.summary.failures)
          } failures`,
        );
      }
    });
  const record = await recordRun(context.argv, async () => {
    // With no count left to run, no server is worth starting.
    for (const target of reachable.length > 0 ? targets : []) await measure(target);
  });
  progress.finish();
  return {
    kind: "scale",
    ...record,
    settings: {
      targets: targets.map(targetName),
      connections: options.connections,
      requests,
      size,
      expect: options.expect,
      pace: options.pace,
      rate: options.rate ?? null,
      clientWorkers,
      clientIo: options.clientIo,
      serverWorkers: options.serverWorkers,
      timeoutMs: options.timeoutMs,
    },
    skipped,
    connections: rows,
    summaries,
  };
}
