/**
 * What the command gives a benchmark run besides its options: where its lines and its
 * progress go, and the signals that interrupt it. The runs themselves print nothing.
 *
 * @module
 */

import type { Progress } from "../cli/progress.ts";

/** The outside world of a sweep or scale run. */
export interface RunContext {
  /** The command line after `socklab`, for the record. */
  argv: readonly string[];
  /** A line for the user: the plan and estimate, server notes, warnings. */
  log(line: string): void;
  /** A progress display for steps totalling about `estimatedMs`. */
  progress(estimatedMs: number): Progress;
  /** Aborted when the run is interrupted; the reason says by what. */
  signal: AbortSignal;
  /** Aborted when the user insists: no more waiting for servers to stop. */
  forced: AbortSignal;
}
