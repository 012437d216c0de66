/**
 * Whether the open-file limit lets a run reach a count of connections, after raising the soft
 * limit where allowed.
 *
 * @module
 */

import { fdAdvice, fdsNeeded, raiseFdLimit } from "../net/fd_limit.ts";

/** Undefined when `count` connections fit the limit, else the sentence that says what fixes it. */
export async function fdShortfall(count: number): Promise<string | undefined> {
  const limit = await raiseFdLimit(fdsNeeded(count));
  if (!limit || limit.soft >= fdsNeeded(count)) return undefined;
  return fdAdvice(count, limit);
}
