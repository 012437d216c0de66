/**
 * The registry of concurrency modes. Commands look modes up here by name and call `run`;
 * nothing outside this folder branches on a mode's name.
 *
 * @module
 */

import type { Mode } from "../lib/server/server_spec.ts";
import { asyncMode } from "./async.ts";
import { iterMode } from "./iter.ts";
import { procMode } from "./proc.ts";
import { thrMode } from "./thr.ts";

/** The mode names, in the order help texts and benchmarks list them. */
export const MODE_NAMES = ["iter", "async", "thr", "proc"] as const;

/** A mode's name. */
export type ModeName = typeof MODE_NAMES[number];

/** Every mode by name. */
export const MODES: Record<ModeName, Mode> = {
  iter: iterMode,
  async: asyncMode,
  thr: thrMode,
  proc: procMode,
};

/** Help-text lines describing each mode. */
export function modeHelp(indent = "  "): string {
  return MODE_NAMES.map((name) => `${indent}${name.padEnd(6)} ${MODES[name].description}`).join(
    "\n",
  );
}
