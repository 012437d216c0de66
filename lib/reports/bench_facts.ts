/**
 * A bench result's run and settings as a person reads them: words for the keys and units on
 * the values (`delay 200 ms`, `open files 20000 (hard 20000)`), for the report page. A setting
 * this module does not know yet still shows, under its key. Pure.
 *
 * @module
 */

import type { BenchResult } from "../bench/bench_result.ts";
import { factValue } from "./html_page.ts";

/** One fact: its label and its value. */
export type Fact = [label: string, value: string];

const ms = (value: unknown) => `${factValue(value)} ms`;

/** Labels and formats of the settings, by key; the order a reader wants them in. */
const SETTINGS: Record<string, [label: string, format?: (value: unknown) => string]> = {
  targets: ["servers"],
  clients: ["client counts"],
  dists: ["client distributions"],
  workers: ["client worker counts"],
  events: ["events per worker"],
  connections: ["connection counts"],
  runs: ["runs per cell"],
  requests: ["requests per connection"],
  request: ["request"],
  size: ["request size", (value) => `${value} bytes`],
  expect: ["expected reply"],
  delayMs: ["delay", (value) => value === null ? "unknown (not socklab's server)" : ms(value)],
  rate: [
    "rate",
    (value) => value === null ? "none: each request waits for its reply" : `${value} requests/s`,
  ],
  pace: ["connects in flight", (value) => `at most ${value}`],
  timeoutMs: ["timeout", ms],
  clientIo: ["client socket API"],
  clientWorkers: ["client workers"],
  serverWorkers: ["server workers", (value) => value === 0 ? "0 (one per connection)" : `${value}`],
  seed: ["seed"],
  measured: ["measured"],
};

/** The settings of a result, labelled, known ones first in {@link SETTINGS} order. */
export function settingFacts(result: BenchResult): Fact[] {
  const settings = result.settings as Record<string, unknown>;
  const known = Object.keys(SETTINGS).filter((key) => key in settings);
  const others = Object.keys(settings).filter((key) => !(key in SETTINGS));
  return [...known, ...others].flatMap((key): Fact[] => {
    const value = settings[key];
    if (value === undefined) return [];
    const [label, format = factValue] = SETTINGS[key] ?? [key];
    return [[label, format(value)]];
  });
}

/** When, where and how the run was made. */
export function runFacts(result: BenchResult): Fact[] {
  const env = result.environment;
  return [
    ["command", env.commandLine],
    ["started", result.startedAt],
    ["ended", result.endedAt],
    ...(result.interrupted ? [["interrupted by", result.interrupted] as Fact] : []),
    ["socklab", env.socklab],
    ["Deno", `${env.deno} (V8 ${env.v8}, TypeScript ${env.typescript})`],
    ["system", `${env.os}, kernel ${env.kernel}`],
    ["CPU", `${env.cpuModel} × ${env.cpuCount}`],
    ["host", env.host],
    [
      "open files",
      env.fdLimit ? `${env.fdLimit.soft} (hard ${env.fdLimit.hard})` : "unknown",
    ],
  ];
}
