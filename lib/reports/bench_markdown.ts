/**
 * `report.md` for a bench result: title, settings, the summary table (the same
 * cells as the terminal table) and links to the charts and data files written
 * beside it.
 *
 * @module
 */

import type { BenchResult } from "../bench/bench_result.ts";
import { csvFiles } from "./bench_csv.ts";
import { CHART_TITLES, chartFiles } from "./bench_svg.ts";
import { summaryTable } from "./bench_text.ts";

/** Escapes what would break a table cell or inline text: pipes, backslashes, newlines. */
function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function settingValue(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  // A single backtick inside would end the code span early, so widen the fence.
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function markdownTable(headers: string[], numeric: boolean[], rows: string[][]): string[] {
  return [
    `| ${headers.map(cell).join(" | ")} |`,
    `|${numeric.map((n) => (n ? " ---: " : " --- ")).join("|")}|`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ];
}

/** The Markdown report of a result. */
export function benchMarkdown(result: BenchResult): string {
  const lines: string[] = [];
  if (result.kind === "sweep") {
    lines.push("# socklab bench sweep", "");
    lines.push(
      "Total execution time of concurrent task clients against the server in each mode; " +
        "each cell is the median over runs, in seconds.",
    );
  } else {
    lines.push("# socklab bench scale", "");
    lines.push(
      "Concurrent connections, each sending a series of requests and waiting for every reply; " +
        "per connection count: totals, mean total duration per connection, mean response time, " +
        "latency percentiles of all requests, throughput and failures.",
    );
  }
  lines.push("", `Started: ${result.startedAt}`, "", "## Settings", "");
  const settings = Object.entries(result.settings);
  if (settings.length === 0) lines.push("(defaults)");
  for (const [key, value] of settings) lines.push(`- ${cell(key)}: ${settingValue(value)}`);

  const table = summaryTable(result);
  lines.push("", "## Summary", "");
  if (table.rows.length === 0) lines.push("No measurements.");
  else lines.push(...markdownTable(table.headers, table.numeric, table.rows));

  lines.push("", "## Charts", "");
  for (const [key, file] of Object.entries(chartFiles(result))) {
    lines.push(`![${CHART_TITLES[key]}](${file})`, "");
  }

  lines.push("## Data", "");
  lines.push(`- [${result.kind}.json](${result.kind}.json): the whole result`);
  lines.push("- [report.html](report.html): this report as a page with sortable tables");
  for (const file of Object.keys(csvFiles(result))) lines.push(`- [${file}](${file})`);
  return lines.join("\n") + "\n";
}
