/**
 * Client distributions as `bench arrivals --dists` names them, in the client's own notation:
 * `d:1s` (deterministic, the time), `u:2s` (uniform on [0, T], T), `e:1` (exponential, the
 * rate λ per second); times take units or are seconds, kinds take the client's spellings.
 *
 * @module
 */

import {
  type Distribution,
  DISTRIBUTION_ALIASES,
  DISTRIBUTION_KINDS,
  type DistributionKind,
} from "../stats/distribution.ts";
import { parseDurationMs } from "../cli/units.ts";

/** The distribution `text` names, or undefined when it names none. */
export function parseDist(text: string): Distribution | undefined {
  const match = /^\s*([a-z]+)\s*:\s*(\S+)\s*$/i.exec(text);
  if (!match) return undefined;
  const name = match[1].toLowerCase();
  const kind = (DISTRIBUTION_KINDS as readonly string[]).includes(name)
    ? name as DistributionKind
    : DISTRIBUTION_ALIASES[name];
  if (!kind) return undefined;
  const param = kind === "exp" ? Number(match[2]) : (parseDurationMs(match[2]) ?? NaN) / 1000;
  return Number.isFinite(param) && param > 0 ? { kind, param } : undefined;
}
