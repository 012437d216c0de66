/**
 * The typed options of `socklab bench`, as `parseBenchArgs` makes them from the command line:
 * everything a run needs, so that nothing reads a flag once the run has started. The kind of
 * benchmark tells the variants apart.
 *
 * @module
 */

import type { ModeName } from "../../modes/mod.ts";
import type { IoName } from "../net/transport.ts";
import type { Distribution } from "../stats/distribution.ts";

/** What a benchmark measures: a socklab server bench starts in a mode, or an external one. */
export type Target =
  /** `io`: the server's transport, when `--io` chose one (else the mode's default). */
  | { kind: "mode"; mode: ModeName; io?: IoName }
  | { kind: "server"; host: string; port: number };

/** A target as tables and reports name it: the mode, or `HOST:PORT`. */
export function targetName(target: Target): string {
  if (target.kind === "mode") return target.io ? `${target.mode}/${target.io}` : target.mode;
  const host = target.host.includes(":") ? `[${target.host}]` : target.host;
  return `${host}:${target.port}`;
}

/** What a correct `bench scale` reply is: the line reversed (task server), echoed, or anything. */
/**
 * The load generator's transport unless `--client-io` says otherwise: the one that keeps its
 * own tail latency low (BENCHMARKS.md §3).
 */
export const DEFAULT_CLIENT_IO: IoName = "node";

export type Expect = "reverse" | "echo" | "any";

/** What `sweep` and `scale` share. */
interface RunOptions {
  /** Measured one after the other, in this order. */
  targets: Target[];
  /** The load generator's transport. */
  clientIo: IoName;
  /** Web Workers generating the load. */
  clientWorkers: number;
  /** `--workers` of the servers bench starts. */
  serverWorkers: number;
  /** Per connect and per reply. */
  timeoutMs: number;
  /** The directory for the reports, if any. */
  out: string | undefined;
  /** Print the result as JSON on stdout (the table goes to stderr). */
  json: boolean;
}

/** `bench sweep`: concurrent one-request clients against a `task-serve --delay`. */
export interface SweepOptions extends RunOptions {
  kind: "sweep";
  clients: number[];
  runs: number;
  delayMs: number;
  /** Go on after a cell in which every request failed. */
  keepGoing: boolean;
}

/** `bench scale`: many connections, each doing a series of round trips. */
export interface ScaleOptions extends RunOptions {
  kind: "scale";
  connections: number[];
  requests: number;
  /** Bytes per request line, its newline not counted. */
  size: number;
  expect: Expect;
  /** At most this many connects in flight. */
  pace: number;
  /** Open model: requests per second per connection; undefined: closed model. */
  rate: number | undefined;
  /** Epoch milliseconds at which the first step begins, so that load hosts start together. */
  startAt: number | undefined;
}

/** A client distribution as `--dists` names it (`e:1`) and as the client draws it. */
export interface DistSpec {
  text: string;
  dist: Distribution;
}

/** `bench arrivals`: the timestamp lab, server modes × client distributions × workers. */
export interface ArrivalsOptions {
  kind: "arrivals";
  targets: Target[];
  dists: DistSpec[];
  /** Client workers (one connection each) per cell. */
  workersList: number[];
  /** Events per worker. */
  events: number;
  runs: number;
  /** The draws of run r use seed + r - 1. */
  seed: number;
  /** The timestamp client's transport. */
  clientIo: IoName;
  serverWorkers: number;
  timeoutMs: number;
  out: string | undefined;
  json: boolean;
}

/** `bench merge`: one report from scale runs made on several hosts at once. */
export interface MergeOptions {
  kind: "merge";
  /** The runs' JSON results, as `--json` prints them or `--out` writes them. */
  files: string[];
  out: string | undefined;
  json: boolean;
}

/** `bench --help`. */
export interface HelpOptions {
  kind: "help";
}

/** Any `bench` command line. */
export type BenchOptions =
  | SweepOptions
  | ScaleOptions
  | ArrivalsOptions
  | MergeOptions
  | HelpOptions;
