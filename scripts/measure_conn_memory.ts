/**
 * Measures what an idle connection costs each server variant in memory: starts `socklab
 * serve` in the variant, opens idle connections in steps (20, then 100 by default; each
 * counted once the server's greeting shows it was accepted), and reads the resident memory
 * of the server's whole process tree (a `proc` server's children included) at each step.
 * Prints a Markdown table of MiB per connection, the figures RELIABILITY.md quotes and the
 * per-connection modes' default connection limit is derived from.
 *
 * Usage: deno run -A scripts/measure_conn_memory.ts [--counts 20,100] [--variants NAME,...]
 *        [--max-rss 6GiB] [--json]
 *
 * `--variants` takes names as in the table (`iter`, `async`, `thr pool of 2`, ...); `--max-rss`
 * stops opening connections to a variant whose tree has grown past it (the machine is shared).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { parseSize } from "../lib/cli/units.ts";
import { SERVE } from "../tests/support.ts";
import { openIdle } from "../tests/support/attacks.ts";
import { mib, treeRssBytes } from "../tests/support/process_tree.ts";
import { stopWithin, withServer } from "../tests/support/server_guard.ts";
import { type Variant, VARIANTS } from "../tests/support/variants.ts";

/** The tree's memory with a number of idle connections open. */
export interface MemoryPoint {
  /** Connections asked for. */
  connections: number;
  /** Of those, accepted and served (greeted); the rest wait in the backlog. */
  accepted: number;
  rssBytes: number;
}

/** One variant's measurement. */
export interface ConnMemory {
  variant: string;
  /** The tree's memory after one connection came and went. */
  baselineBytes: number;
  points: MemoryPoint[];
  /** Why the measurement stopped short, if it did. */
  stopped?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Samples the tree until two readings 250 ms apart agree within 1% (at most 5 s). */
async function settledRss(pid: number): Promise<number> {
  let last = treeRssBytes(pid);
  for (let i = 0; i < 20; i++) {
    await sleep(250);
    const now = treeRssBytes(pid);
    if (Math.abs(now - last) <= last * 0.01) return now;
    last = now;
  }
  return last;
}

/** Measures one variant at each of `counts` (ascending) idle connections. */
export function measureConnMemory(
  variant: Variant,
  counts: number[],
  maxRssBytes: number,
): Promise<ConnMemory> {
  return withServer([...SERVE, ...variant.args], async (server) => {
    const warm = await openIdle(server.port, 1);
    warm.close();
    await sleep(500);
    const result: ConnMemory = {
      variant: variant.name,
      baselineBytes: await settledRss(server.pid),
      points: [],
    };
    const idle: Awaited<ReturnType<typeof openIdle>>[] = [];
    let open = 0;
    let accepted = 0;
    for (const count of counts) {
      const more = await openIdle(server.port, count - open, {
        greetingMs: 5000,
        more: () => treeRssBytes(server.pid) < maxRssBytes,
      });
      idle.push(more);
      open += more.conns.length;
      accepted += more.greeted();
      result.points.push({
        connections: open,
        accepted,
        rssBytes: await settledRss(server.pid),
      });
      if (open < count) {
        result.stopped = more.waiting
          ? `the server stopped accepting at ${accepted}; the rest wait in the backlog`
          : `stopped at ${open} connections: the tree passed ${mib(maxRssBytes)} MiB`;
        break;
      }
    }
    idle.forEach((connections) => connections.close());
    await stopWithin(server, "SIGINT", 30_000);
    return result;
  });
}

/** MiB per accepted connection from `from` to `to`, or "-" if none was accepted between. */
function perConnection(fromBytes: number, fromAccepted: number, to: MemoryPoint): string {
  const accepted = to.accepted - fromAccepted;
  return accepted === 0 ? "-" : mib((to.rssBytes - fromBytes) / accepted, 2);
}

/**
 * The results as a Markdown table, a row per variant and step: MiB per connection over the
 * baseline, and between this step and the previous one (which leaves fixed costs out).
 */
export function formatConnMemory(results: ConnMemory[]): string {
  const rows = results.flatMap((result) =>
    result.points.map((point, i) => {
      const previous = result.points[i - 1];
      const cells = [
        result.variant,
        `${point.accepted} of ${point.connections}`,
        `${mib(result.baselineBytes)} → ${mib(point.rssBytes)}`,
        perConnection(result.baselineBytes, 0, point),
        previous ? perConnection(previous.rssBytes, previous.accepted, point) : "",
        i === result.points.length - 1 ? result.stopped ?? "" : "",
      ];
      return `| ${cells.join(" | ")} |`;
    })
  );
  return [
    "| variant | idle connections accepted | tree RSS (MiB) | MiB per connection | " +
    "MiB per connection since the previous step | note |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      counts: { type: "string", default: "20,100" },
      variants: { type: "string" },
      "max-rss": { type: "string", default: "6GiB" },
      json: { type: "boolean", default: false },
    },
  });
  const counts = values.counts.split(",").map(Number).sort((a, b) => a - b);
  if (counts.some((n) => !Number.isInteger(n) || n < 1)) {
    console.error(`Invalid --counts "${values.counts}": expected positive integers, e.g. 20,100`);
    Deno.exit(2);
  }
  const names = values.variants?.split(",");
  const unknown = names?.filter((name) => !VARIANTS.some((v) => v.name === name)) ?? [];
  if (unknown.length > 0) {
    console.error(
      `Invalid --variants "${unknown.join(",")}": expected names from ${
        VARIANTS.map((v) => v.name).join(", ")
      }`,
    );
    Deno.exit(2);
  }
  const maxRss = parseSize(values["max-rss"]);
  if (maxRss === undefined) {
    console.error(`Invalid --max-rss "${values["max-rss"]}": expected a size such as 6GiB`);
    Deno.exit(2);
  }
  const results: ConnMemory[] = [];
  for (const variant of VARIANTS.filter((v) => names === undefined || names.includes(v.name))) {
    console.error(`measuring ${variant.name} ...`);
    results.push(await measureConnMemory(variant, counts, maxRss));
  }
  console.log(values.json ? JSON.stringify(results, null, 2) : formatConnMemory(results));
}
