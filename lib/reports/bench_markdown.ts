/**
 * `report.md` for a bench result: title, settings, the summary table (the same
 * cells as the terminal table) and links to the charts and data files written
 * beside it.
 *
 * @module
 */

import type { BenchResult } from "../bench/bench_result.ts";
import { csvFiles } from "./bench_csv.ts";
import { settingFacts } from "./bench_facts.ts";
import { benchCharts } from "./bench_svg.ts";
import {
  arrivalsNotes,
  failureLines,
  interruptionNote,
  skippedLines,
  sourceTable,
  summaryTable,
} from "./bench_text.ts";

/** Escapes what would break a table cell or inline text: pipes, backslashes, newlines. */
function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function settingValue(value: unknown): string {
  const text = value === null || value === undefined
    ? "none"
    : typeof value === "string"
    ? value
    : JSON.stringify(value);
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

/** When, where and how the run was made. */
function runLines(result: BenchResult): string[] {
  const env = result.environment;
  const limit = env.fdLimit ? `${env.fdLimit.soft} (hard ${env.fdLimit.hard})` : "unknown";
  return [
    `Command: ${settingValue(env.commandLine)}`,
    `Started: ${result.startedAt}`,
    `Ended: ${result.endedAt}`,
    `socklab ${env.socklab}, Deno ${env.deno} (V8 ${env.v8}, TypeScript ${env.typescript})`,
    `OS: ${env.os}, kernel ${env.kernel}`,
    `CPU: ${cell(env.cpuModel)} × ${env.cpuCount}`,
    `Host: ${cell(env.host)}`,
    `Open-file limit: ${limit}`,
  ];
}

/** The Markdown report of a result. */
export function benchMarkdown(result: BenchResult): string {
  const lines: string[] = [];
  if (result.kind === "arrivals") {
    lines.push("# socklab bench arrivals", "");
    lines.push(
      "The timestamp lab: per server mode, client distribution and worker count, the gaps " +
        "the server saw between connections and between messages, against the theory of the " +
        "distribution the client drew: theoretical and measured mean (95% CI) and CV, a " +
        "goodness-of-fit test (Kolmogorov\u2013Smirnov for uniform and exponential draws, the " +
        "spread around the interval for deterministic ones) and a verdict.",
    );
  } else if (result.kind === "sweep") {
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
  const interrupted = interruptionNote(result);
  if (interrupted) lines.push("", `**${interrupted}**`);
  lines.push("", "## Run", "", ...runLines(result).map((line) => `- ${line}`));
  lines.push("", "## Settings", "");
  for (const [label, value] of settingFacts(result)) {
    lines.push(`- ${cell(label)}: ${settingValue(value)}`);
  }
  const skipped = skippedLines(result);
  if (skipped.length > 0) {
    lines.push("", "## Skipped", "", ...skipped.map((line) => `- ${cell(line)}`));
  }

  const table = summaryTable(result);
  lines.push("", "## Summary", "");
  if (table.rows.length === 0) lines.push("No measurements.");
  else lines.push(...markdownTable(table.headers, table.numeric, table.rows));

  const sources = sourceTable(result);
  if (sources) {
    lines.push("", "## Sources", "");
    lines.push(
      "The runs merged here, one row per source and step; times are from the merged step's " +
        "first request.",
      "",
    );
    lines.push(...markdownTable(sources.headers, sources.numeric, sources.rows));
  }

  const notes = arrivalsNotes(result);
  if (notes.length > 0) lines.push("", "## Notes", "", ...notes.map((line) => `- ${cell(line)}`));

  const failures = failureLines(result);
  if (failures.length > 0) {
    lines.push("", "## Failures", "", "Each kind, with the first of its failures:", "");
    lines.push(...failures.map((line) => `- ${cell(line)}`));
  }

  lines.push("", "## Charts", "");
  for (const chart of benchCharts(result)) lines.push(`![${chart.title}](${chart.file})`, "");

  lines.push("## Data", "");
  lines.push(`- [${result.kind}.json](${result.kind}.json): the whole result`);
  lines.push("- [report.html](report.html): this report as a page with sortable tables");
  for (const file of Object.keys(csvFiles(result))) lines.push(`- [${file}](${file})`);
  return lines.join("\n") + "\n";
}
