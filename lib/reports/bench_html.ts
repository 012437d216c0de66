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
import { runFacts, settingFacts } from "./bench_facts.ts";
import { factValue, htmlPage, type HtmlPart, type HtmlTable, objectFacts } from "./html_page.ts";

/**
 * Fields of a result the page shows in other ways: its measurements through the CSV tables,
 * its run and settings in words.
 */
const SHOWN_FIELDS = new Set([
  "kind",
  "measurements",
  "cells",
  "connections",
  "summaries",
  "startedAt",
  "endedAt",
  "interrupted",
  "environment",
  "settings",
]);

/**
 * Everything the result records about its run: the run and the settings in words and units,
 * then whatever else it records, under its own keys.
 */
function runParts(result: BenchResult): HtmlPart[] {
  const plain: [string, string][] = [];
  const objects: HtmlPart[] = [];
  for (const [key, value] of Object.entries(result)) {
    if (SHOWN_FIELDS.has(key) || value === undefined) continue;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      objects.push({ title: key, facts: objectFacts(value as Record<string, unknown>) });
    } else plain.push([key, factValue(value)]);
  }
  return [
    { title: "run", facts: [...runFacts(result), ...plain] },
    { title: "settings", facts: settingFacts(result) },
    ...objects,
  ];
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
      { heading: "Run", parts: runParts(result) },
      {
        heading: "Summary",
        parts: summary.rows.length === 0 ? [{ text: "No measurements." }] : [{ table: summary }],
      },
      { heading: "Charts", parts: benchCharts(result).map((chart) => ({ chart })) },
      { heading: "Data", parts: dataTables(result) },
    ],
  });
}
