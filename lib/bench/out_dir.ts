/**
 * The `--out` directory: checked before a run starts, so that a path that cannot take the
 * reports fails at once rather than after an hour of measuring, and written after it, file
 * by file, so that one failed write costs that file alone.
 *
 * @module
 */

import { UsageError } from "../cli/flags.ts";
import { osReason } from "../cli/output_file.ts";

/** Creates `dir` if missing and proves it writable; a {@link UsageError} naming it if not. */
export async function prepareOutDir(dir: string): Promise<void> {
  const info = await Deno.stat(dir).catch(() => undefined);
  if (info && !info.isDirectory) {
    throw new UsageError(
      `Invalid --out "${dir}": it is a file, expected a directory to write the reports into`,
    );
  }
  try {
    await Deno.mkdir(dir, { recursive: true });
    await Deno.remove(await Deno.makeTempFile({ dir, prefix: ".socklab-probe-" }));
  } catch (error) {
    throw new UsageError(
      `Invalid --out "${dir}": cannot write there (${
        osReason(error)
      }), expected a directory to write the reports into`,
    );
  }
}

/** Writes each file into `dir`; returns one sentence per file that could not be written. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<string[]> {
  const failed: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    try {
      await Deno.writeTextFile(`${dir}/${name}`, content);
    } catch (error) {
      failed.push(`Could not write ${dir}/${name}: ${osReason(error)}`);
    }
  }
  return failed;
}
