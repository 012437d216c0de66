/**
 * Output paths named on the command line (`--html`, `--csv`, `--out`), proved writable before
 * anything runs, so that a path that cannot take the results fails at once (a usage error,
 * exit 2) rather than after the run has been lost.
 *
 * @module
 */

import { UsageError } from "./flags.ts";

/** An OS error in a few words: `permission denied`, without the call and path after them. */
export function osReason(error: unknown): string {
  const message = error instanceof Error ? error.message.split(":")[0] : String(error);
  const words = message.replace(/ \(os error \d+\)$/, "");
  return words.charAt(0).toLowerCase() + words.slice(1);
}

/**
 * Proves that `path` can be written, leaving it as it was: an existing file is opened for
 * writing, untouched; a new one is created and removed. A {@link UsageError} naming `flag`
 * if not.
 */
export async function checkOutputFile(flag: string, path: string): Promise<void> {
  const existed = await Deno.lstat(path).then(() => true, () => false);
  try {
    (await Deno.open(path, { write: true, create: true })).close();
    if (!existed) await Deno.remove(path);
  } catch (error) {
    throw new UsageError(
      `Invalid --${flag} "${path}": cannot write there (${
        osReason(error)
      }); give a file in a writable directory`,
    );
  }
}
