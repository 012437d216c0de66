/**
 * Everything `bench --out DIR` writes, as file name → content, so the command
 * layer only has to write the map out and tests can check it without a disk.
 *
 * @module
 */

import type { BenchResult } from "../bench/bench_result.ts";
import { csvFiles } from "./bench_csv.ts";
import { benchHtml } from "./bench_html.ts";
import { benchMarkdown } from "./bench_markdown.ts";
import { chartSvgs } from "./bench_svg.ts";

/** The whole result as JSON, as `--json` prints it and `<kind>.json` holds it. */
export function resultJson(result: BenchResult): string {
  return JSON.stringify(result, null, 2) + "\n";
}

/** `<kind>.json`, the CSVs, `report.md`, `report.html` and the SVG charts of a result. */
export async function benchFiles(result: BenchResult): Promise<Record<string, string>> {
  return {
    [`${result.kind}.json`]: resultJson(result),
    ...csvFiles(result),
    "report.md": benchMarkdown(result),
    "report.html": await benchHtml(result),
    ...(await chartSvgs(result)),
  };
}
