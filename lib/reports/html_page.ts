/**
 * One self-contained HTML report page: facts, sortable tables and interactive charts, with its
 * style, script and data inline so it opens from disk with no network.
 *
 * Charts are pre-rendered here, from their Vega-Lite specifications, once per time scale, and
 * both SVGs go into the page; the page's small script only shows one or the other, toggles
 * series and shows hover values. That keeps the page light (no chart library to parse and run
 * in the browser, nothing to lay out on open) and keeps every chart identical to its SVG file.
 * Tables carry their rows as JSON; the page draws one page of rows at a time, so 10,000 rows
 * cost one JSON parse and a hundred table rows.
 *
 * @module
 */

import { type Chart, renderSvg, seriesColors, type TimeScale } from "./chart.ts";
import { PAGE_SCRIPT, PAGE_STYLE } from "./html_assets.ts";

/** Rows a table shows at a time; the page pages through the rest. */
export const PAGE_SIZE = 100;

/** A sortable table; numbers sort numerically, and so do numeric columns of formatted text. */
export interface HtmlTable {
  title?: string;
  note?: string;
  headers: string[];
  numeric: boolean[];
  rows: (string | number)[][];
}

/** What a section holds, in order. */
export type HtmlPart =
  | { facts: [string, string][]; title?: string }
  | { table: HtmlTable }
  | { chart: Chart }
  | { text: string };

/** A page: a title, a line under it, and its sections. */
export interface HtmlReport {
  title: string;
  subtitle: string;
  sections: { heading: string; parts: HtmlPart[] }[];
}

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** A value as a fact: text as is, lists of plain values joined, anything else as JSON. */
export function factValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null)) {
    return value.join(", ");
  }
  return JSON.stringify(value) ?? String(value);
}

/**
 * An object's entries as facts, nested objects flattened to dotted keys; undefined entries are
 * left out, as JSON leaves them out.
 */
export function objectFacts(value: Record<string, unknown>, prefix = ""): [string, string][] {
  return Object.entries(value).flatMap(([key, v]): [string, string][] =>
    v === undefined
      ? []
      : v !== null && typeof v === "object" && !Array.isArray(v)
      ? objectFacts(v as Record<string, unknown>, `${prefix}${key}.`)
      : [[`${prefix}${key}`, factValue(v)]]
  );
}

function cellHtml(value: string | number, numeric: boolean): string {
  return `<td${numeric ? ' class="num"' : ""}>${escapeHtml(String(value))}</td>`;
}

function factsHtml(facts: [string, string][], title?: string): string {
  const rows = facts.map(([key, value]) =>
    `<tr><th scope="row">${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`
  );
  return `<div>${title ? `<h3>${escapeHtml(title)}</h3>` : ""}<table class="facts"><tbody>${
    rows.join("")
  }</tbody></table></div>`;
}

function tableHtml(table: HtmlTable, id: string): string {
  const heads = table.headers.map((h, i) =>
    `<th scope="col"${table.numeric[i] ? ' class="num"' : ""}><button type="button">${
      escapeHtml(h)
    }</button></th>`
  );
  // The first page is in the HTML too, so the table reads before (or without) the script.
  const rows = table.rows.slice(0, PAGE_SIZE).map((row) =>
    `<tr>${row.map((v, i) => cellHtml(v, table.numeric[i])).join("")}</tr>`
  );
  const pager = table.rows.length > PAGE_SIZE
    ? `<div class="pager" id="${id}-pager"><button type="button" class="pill prev">Previous</button><span class="range"></span><button type="button" class="pill next">Next</button></div>`
    : "";
  return [
    table.title ? `<h3>${escapeHtml(table.title)}</h3>` : "",
    table.note ? `<p class="note">${escapeHtml(table.note)}</p>` : "",
    `<div class="scroll"><table class="data" id="${id}"><thead><tr>${heads.join("")}</tr></thead>`,
    `<tbody>${rows.join("")}</tbody></table></div>${pager}`,
  ].join("");
}

async function chartHtml(chart: Chart, id: string): Promise<string> {
  const scales: TimeScale[] = ["linear", "log"];
  const svgs = await Promise.all(
    scales.map((timeScale) => renderSvg(chart.spec({ timeScale, legend: false }))),
  );
  const colors = seriesColors();
  const scaleLabel = escapeHtml(chart.scaleLabel ?? "Time axis");
  const scaleButtons = scales.map((s) =>
    `<button type="button" class="pill" data-scale="${s}" aria-pressed="${
      s === chart.timeScale
    }">${s}</button>`
  );
  const legend = chart.series.length > 1
    ? `<span role="group" aria-label="Series (click to show or hide)">${
      chart.series.map((name, i) =>
        `<button type="button" class="pill" data-series="${i}" aria-pressed="true"><span class="swatch" style="background:${
          colors[i % colors.length]
        }"></span>${escapeHtml(name)}</button>`
      ).join("")
    }</span>`
    : "";
  return [
    `<figure class="chart" id="${id}" data-scale="${chart.timeScale}" aria-label="${
      escapeHtml(chart.title)
    }">`,
    `<div class="controls"><span role="group" aria-label="${scaleLabel}">${scaleLabel} ${
      scaleButtons.join("")
    }</span>${legend}</div>`,
    ...scales.map((s, i) => `<div class="variant" data-scale="${s}">${svgs[i]}</div>`),
    `</figure>`,
  ].join("");
}

/** `Inter-arrival times` → `inter-arrival-times`, a section's id. */
function slug(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/** JSON that is safe inside a `<script>` element: no `<` can end it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/** The whole page as one HTML string. */
export async function htmlPage(report: HtmlReport): Promise<string> {
  const tables: HtmlTable[] = [];
  const charts: Chart[] = [];
  const sections: string[] = [];
  for (const section of report.sections) {
    const parts: string[] = [];
    // Consecutive fact lists sit side by side.
    let facts: string[] = [];
    const flush = () => {
      if (facts.length > 0) parts.push(`<div class="facts-grid">${facts.join("")}</div>`);
      facts = [];
    };
    for (const part of section.parts) {
      if ("facts" in part) {
        facts.push(factsHtml(part.facts, part.title));
        continue;
      }
      flush();
      if ("table" in part) {
        parts.push(tableHtml(part.table, `t${tables.length}`));
        tables.push(part.table);
      } else if ("chart" in part) {
        parts.push(await chartHtml(part.chart, `c${charts.length}`));
        charts.push(part.chart);
      } else {
        parts.push(`<p class="note">${escapeHtml(part.text)}</p>`);
      }
    }
    flush();
    sections.push(
      `<section id="${slug(section.heading)}"><h2>${escapeHtml(section.heading)}</h2>${
        parts.join("\n")
      }</section>`,
    );
  }
  const data = {
    pageSize: PAGE_SIZE,
    tables: tables.map((t) => ({ numeric: t.numeric, rows: t.rows })),
    charts: charts.map((c) => ({ labels: c.labels })),
  };
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(report.title)}</title>`,
    `<style>${PAGE_STYLE}</style>`,
    "</head>",
    "<body>",
    `<header><h1>${escapeHtml(report.title)}</h1><p class="sub">${
      escapeHtml(report.subtitle)
    }</p></header>`,
    ...sections,
    '<div id="tip" role="tooltip" hidden></div>',
    `<script type="application/json" id="socklab-data">${scriptJson(data)}</script>`,
    `<script>${PAGE_SCRIPT}</script>`,
    "</body>",
    "</html>",
  ].join("\n");
}
