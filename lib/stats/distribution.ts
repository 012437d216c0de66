/**
 * Inter-event time distributions of the timestamp client: deterministic, uniform on [0, T],
 * and exponential with rate λ (mean 1/λ), drawn from a seeded {@link Rng}.
 *
 * @module
 */

import type { Rng } from "./rng.ts";

/** The distribution kinds; `d`, `u`, `e` are accepted as aliases on the command line. */
export type DistributionKind = "det" | "uniform" | "exp";

/** The kinds, for flag validation. */
export const DISTRIBUTION_KINDS: readonly DistributionKind[] = ["det", "uniform", "exp"];

/** Short spellings of the reference client. */
export const DISTRIBUTION_ALIASES: Record<string, DistributionKind> = {
  d: "det",
  u: "uniform",
  e: "exp",
  deterministic: "det",
  exponential: "exp",
};

/**
 * A distribution and its parameter: for `det` the fixed time in seconds, for `uniform` the
 * interval size T in seconds, for `exp` the event rate λ per second.
 */
export interface Distribution {
  kind: DistributionKind;
  param: number;
}

/** Draws one inter-event time in seconds. */
export function drawSeconds(dist: Distribution, rng: Rng): number {
  switch (dist.kind) {
    case "det":
      return dist.param;
    case "uniform":
      return rng() * dist.param;
    case "exp":
      // 1 - u lies in (0, 1], so the logarithm is finite.
      return -Math.log(1 - rng()) / dist.param;
  }
}

/** The distribution's theoretical mean inter-event time in seconds. */
export function meanSeconds(dist: Distribution): number {
  switch (dist.kind) {
    case "det":
      return dist.param;
    case "uniform":
      return dist.param / 2;
    case "exp":
      return 1 / dist.param;
  }
}

/** A short human description, e.g. `exponential, λ = 2/s`. */
export function describeDistribution(dist: Distribution): string {
  switch (dist.kind) {
    case "det":
      return `deterministic, ${dist.param} s`;
    case "uniform":
      return `uniform on [0, ${dist.param}] s`;
    case "exp":
      return `exponential, λ = ${dist.param}/s`;
  }
}
