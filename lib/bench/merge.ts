/**
 * `bench merge`: one scale result from runs made on several load hosts at once. Step by step
 * (the k-th step of every run together): connections, requests, bytes and failures summed,
 * latency percentiles from the merged histograms (exact, never an average of percentiles),
 * the request phase from the earliest first request to the latest last reply, and the
 * connections renumbered one after the other. The runs stay in the result as its sources, so
 * that a host that started late or ran slow shows. Pure: the caller reads the files.
 *
 * @module
 */

import {
  connectionMeans,
  firstExamples,
  type RunEnvironment,
  type ScaleConnectionRow,
  type ScaleResult,
  type ScaleSource,
  type ScaleSummary,
  sumFailures,
} from "./bench_result.ts";
import {
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
  summarizeLatency,
} from "../stats/histogram.ts";

/** A run to merge and the name it is known by (its file). */
export interface NamedResult {
  name: string;
  result: ScaleResult;
}

/** Runs that cannot be merged: the message names the file and says why. */
export class MergeError extends Error {
  override name = "MergeError";
}

function steps(result: ScaleResult): string {
  return result.summaries.map((s) => s.target).join(", ");
}

/** One step of every source merged; `rows` are the sources' rows of that step, in order. */
function mergeStep(parts: ScaleSummary[], rows: ScaleConnectionRow[][]): {
  summary: ScaleSummary;
  rows: ScaleConnectionRow[];
} {
  const connections = parts.reduce((sum, s) => sum + s.connections, 0);
  const target = parts[0].target;
  let offset = 0;
  const merged = rows.flatMap((sourceRows, i) => {
    const renumbered = sourceRows.map((r) => ({
      ...r,
      target,
      connections,
      conn: offset + r.conn,
    }));
    offset += parts[i].connections;
    return renumbered;
  });
  const histogram = mergeHistograms(parts.map((s) => decodeHistogram(s.histogram)));
  const requestPhase = {
    start: Math.min(...parts.map((s) => s.requestPhase.start)),
    end: Math.max(...parts.map((s) => s.requestPhase.end)),
  };
  const requests = parts.reduce((sum, s) => sum + s.requests, 0);
  const phaseMs = requestPhase.end - requestPhase.start;
  return {
    rows: merged,
    summary: {
      target,
      connections,
      requests,
      bytes: parts.reduce((sum, s) => sum + s.bytes, 0),
      ...connectionMeans(merged),
      latency: summarizeLatency(histogram),
      // Over the whole request phase of all hosts together.
      elapsedMs: phaseMs,
      requestsPerSec: phaseMs > 0 ? requests / (phaseMs / 1000) : 0,
      failures: sumFailures(parts.map((s) => s.failures)),
      examples: firstExamples(parts.map((s) => s.examples)),
      histogram: encodeHistogram(histogram),
      requestPhase,
    },
  };
}

/** The sources' rows of each of their steps: a step of `n` connections has the next `n` rows. */
function rowsByStep(result: ScaleResult): ScaleConnectionRow[][] {
  let next = 0;
  return result.summaries.map((s) => result.connections.slice(next, next += s.connections));
}

/** Merges `sources` (at least one, with the same targets and steps); `environment` is the merge's. */
export function mergeScaleResults(
  sources: readonly NamedResult[],
  environment: RunEnvironment,
): ScaleResult {
  if (sources.length === 0) {
    throw new MergeError("Nothing to merge: name the JSON files of the runs");
  }
  const [first] = sources;
  for (const { name, result } of sources) {
    if (result.summaries.some((s) => typeof s.histogram !== "string" || !s.requestPhase)) {
      throw new MergeError(
        `Cannot merge "${name}": its steps carry no latency histogram; make it with bench scale --json or --out`,
      );
    }
    if (steps(result) !== steps(first.result)) {
      throw new MergeError(
        `Cannot merge "${name}": its steps (${
          steps(result) || "none"
        }) differ from those of "${first.name}" (${
          steps(first.result) || "none"
        }); merge runs made with the same targets and number of counts`,
      );
    }
  }
  const rows = sources.map(({ result }) => rowsByStep(result));
  const merged = first.result.summaries.map((_, k) =>
    mergeStep(sources.map(({ result }) => result.summaries[k]), rows.map((r) => r[k]))
  );
  const interrupted = sources.find(({ result }) => result.interrupted);
  const sourceRecords: ScaleSource[] = sources.map(({ name, result }) => ({
    name,
    startedAt: result.startedAt,
    endedAt: result.endedAt,
    environment: result.environment,
    ...(result.interrupted ? { interrupted: result.interrupted } : {}),
    settings: result.settings,
    summaries: result.summaries,
  }));
  return {
    kind: "scale",
    startedAt: sources.map((s) => s.result.startedAt).sort()[0],
    endedAt: sources.map((s) => s.result.endedAt).sort().at(-1)!,
    environment,
    ...(interrupted
      ? { interrupted: `${interrupted.result.interrupted} in ${interrupted.name}` }
      : {}),
    settings: {
      ...first.result.settings,
      connections: [...new Set(merged.map((m) => m.summary.connections))],
    },
    skipped: sources.flatMap(({ name, result }) =>
      result.skipped.map((k) => ({ connections: k.connections, reason: `${name}: ${k.reason}` }))
    ),
    connections: merged.flatMap((m) => m.rows),
    summaries: merged.map((m) => m.summary),
    sources: sourceRecords,
  };
}
