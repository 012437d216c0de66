/**
 * `report.html` for a bench result of any kind: what report.md shows (the run's settings and
 * whatever else the result records about the run, the summary table, every chart) as one page
 * that opens from disk, plus what a page does better: each CSV file as a table that sorts by
 * column, hover values on chart points, a linear/log time axis and series toggled from the
 * legend. It is built only from the reporters every kind has (the summary table, the charts,
 * the CSV files), so a new kind of result gets its page by having those.
 *
 * @module
 */

import { parse } from "csv-parse";
import type { BenchResult } from "../bench/bench_result.ts";
import { csvFiles } from "./bench_csv.ts";
import { benchCharts } from "./bench_svg.ts";
import { summaryTable } from "./bench_text.ts";
import { factValue, htmlPage, type HtmlPart, type HtmlTable, objectFacts } from "./html_page.ts";

/** Fields of a result that hold its measurements; the page shows them through the CSV tables. */
const DATA_FIELDS = new Set(["kind", "measurements", "cells", "connections", "summaries"]);

/**
 * Everything the result records about its run: its plain fields (start time, command line…)
 * first, then one list per object field (settings, machine, versions…).
 */
function runFacts(result: BenchResult): HtmlPart[] {
  const plain: [string, string][] = [];
  const objects: HtmlPart[] = [];
  for (const [key, value] of Object.entries(result)) {
    if (DATA_FIELDS.has(key) || value === undefined) continue;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const facts = objectFacts(value as Record<string, unknown>);
      objects.push({ title: key, facts: facts.length > 0 ? facts : [["(defaults)", ""]] });
    } else plain.push([key, factValue(value)]);
  }
  return [{ title: "run", facts: plain }, ...objects];
}

/** One table per CSV file `--out` writes, typed values so numbers sort as numbers. */
function dataTables(result: BenchResult): HtmlPart[] {
  return Object.entries(csvFiles(result)).map(([file, csv]) => {
    const [headers, ...rows] = parse(csv, { cast: true }) as (string | number)[][];
    const table: HtmlTable = {
      title: file,
      note: `${rows.length} ${rows.length === 1 ? "row" : "rows"}; click a column to sort`,
      headers: headers.map(String),
      numeric: headers.map((_, i) =>
        rows.length > 0 && rows.every((r) => typeof r[i] === "number")
      ),
      rows,
    };
    return { table };
  });
}

/** The HTML report of a result. */
export function benchHtml(result: BenchResult): Promise<string> {
  const summary = summaryTable(result);
  return htmlPage({
    title: `socklab bench ${result.kind}`,
    subtitle: `Started ${result.startedAt}`,
    sections: [
      { heading: "Run", parts: runFacts(result) },
      {
        heading: "Summary",
        parts: summary.rows.length === 0 ? [{ text: "No measurements." }] : [{ table: summary }],
      },
      { heading: "Charts", parts: benchCharts(result).map((chart) => ({ chart })) },
      { heading: "Data", parts: dataTables(result) },
    ],
  });
}
