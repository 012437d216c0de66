/**
 * Reading the JSON results `bench merge` combines, with a usage error that names the file
 * for one that cannot be read or is not a `bench scale` result.
 *
 * @module
 */

import type { ScaleResult } from "./bench_result.ts";
import type { NamedResult } from "./merge.ts";
import { UsageError } from "../cli/flags.ts";

async function readScaleResult(file: string): Promise<ScaleResult> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    const why = error instanceof Error ? error.message.split(":")[0] : String(error);
    throw new UsageError(`Cannot read "${file}": ${why}`);
  }
  let result: unknown;
  try {
    result = JSON.parse(text);
  } catch {
    throw new UsageError(`Invalid result "${file}": not JSON; expected bench scale --json output`);
  }
  if ((result as { kind?: unknown })?.kind !== "scale") {
    throw new UsageError(
      `Invalid result "${file}": not a bench scale result; expected bench scale --json output`,
    );
  }
  return result as ScaleResult;
}

/** Each file's result, named by the file, in the order given. */
export async function readScaleResults(files: readonly string[]): Promise<NamedResult[]> {
  const results: NamedResult[] = [];
  for (const name of files) results.push({ name, result: await readScaleResult(name) });
  return results;
}
