/**
 * `iter`: the iterative server. One connection at a time; the next waits in the listen
 * backlog, and `--delay` blocks everyone, which is the point of the experiment.
 *
 * @module
 */

import { localMode } from "./_local.ts";

/** The iterative mode. */
export const iterMode = localMode(
  "iter",
  "iterative: one connection at a time, the next waits in the listen backlog",
  true,
  "node",
);
