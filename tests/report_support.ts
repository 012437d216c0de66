/**
 * Readers for the report files `bench` writes, shared by the reporter tests and the bench
 * command tests: CSV (RFC 4180), the Markdown summary table, and the series a Vega SVG chart
 * draws.
 *
 * @module
 */

import assert from "node:assert/strict";
// Pinned here, not in the import map, which Deno installs in full before any run.
// deno-lint-ignore no-import-prefix
import { XMLParser, XMLValidator } from "npm:fast-xml-parser@5.12.1";

/** RFC 4180 reader: quoted fields, doubled quotes, CRLF or LF; the last line must end. */
function parseCsv(text: string): string[][] {
  assert.ok(text.endsWith("\n"), "CSV ends with a newline");
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') field += text[i++];
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  return rows;
}

/** CSV as header + records keyed by column; every record has exactly the header's width. */
export function csvRecords(text: string): { header: string[]; records: Record<string, string>[] } {
  const [header, ...rows] = parseCsv(text);
  for (const row of rows) assert.equal(row.length, header.length, `row ${row.join(",")}`);
  return {
    header,
    records: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))),
  };
}

/** The first Markdown table after `heading`, as header cells and row cells. */
export function markdownTable(md: string, heading: string): { header: string[]; rows: string[][] } {
  const lines = md.split("\n");
  const start = lines.indexOf(heading);
  assert.ok(start >= 0, `heading ${heading}`);
  const table: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith("|")) table.push(line);
    else if (table.length > 0) break;
  }
  const cells = (line: string) =>
    line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
  assert.ok(table.length >= 2, "table with header and separator");
  assert.match(table[1], /^\|( ?:?-{3,}:? ?\|)+$/, "separator row");
  return { header: cells(table[0]), rows: table.slice(2).map(cells) };
}

export interface XmlElement {
  tag: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Parses XML (after validating it) into a plain element tree. */
export function parseXml(xml: string): XmlElement {
  const valid = XMLValidator.validate(xml);
  assert.equal(valid, true, `well-formed XML: ${JSON.stringify(valid)}`);
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: "",
    parseTagValue: false,
    parseAttributeValue: false,
  });
  type Node = Record<string, unknown>;
  const convert = (node: Node): XmlElement | null => {
    const tag = Object.keys(node).find((k) => k !== ":@");
    if (!tag || tag === "#text") return null;
    const kids = (node[tag] as Node[]).map(convert).filter((e): e is XmlElement => e !== null);
    const text = (node[tag] as Node[]).filter((n) => "#text" in n).map((n) => String(n["#text"]))
      .join("");
    return { tag, attrs: (node[":@"] ?? {}) as Record<string, string>, children: kids, text };
  };
  const roots = (parser.parse(xml) as Node[]).map(convert).filter((e) => e !== null);
  assert.equal(roots.length, 1, "one root element");
  return roots[0]!;
}

/** Every element below `el`, depth first. */
export function descendants(el: XmlElement): XmlElement[] {
  return el.children.flatMap((c) => [c, ...descendants(c)]);
}

function hasClass(el: XmlElement, name: string): boolean {
  return (el.attrs.class ?? "").split(/\s+/).includes(name);
}

export interface ChartSeries {
  /** One entry per drawn line: its stroke color and its vertex count. */
  lines: { stroke: string; vertices: number }[];
  legendLabels: string[];
  texts: string[];
}

/**
 * Reads what a reader of the chart sees: the drawn lines (Vega marks each line
 * of a line mark with `aria-roledescription="line mark"`), the legend's labels
 * and all text.
 */
export function chartSeries(svg: string): ChartSeries {
  const root = parseXml(svg);
  assert.equal(root.tag, "svg");
  const all = descendants(root);
  const lines = all
    .filter((e) => e.tag === "path" && e.attrs["aria-roledescription"] === "line mark")
    .map((e) => ({
      stroke: e.attrs.stroke,
      // Vega draws a line as M x,y followed by L x,y per further vertex.
      vertices: (e.attrs.d.match(/[ML]/g) ?? []).length,
    }));
  const legendLabels = all
    .filter((e) => e.tag === "g" && hasClass(e, "role-legend-label"))
    .flatMap((g) => descendants(g).filter((e) => e.tag === "text").map((e) => e.text));
  const texts = all.filter((e) => e.tag === "text").map((e) => e.text);
  return { lines, legendLabels, texts };
}

/** Asserts one drawn line per series, distinct colors, the points per line, and the legend in order. */
export function assertOneSeriesEach(svg: string, series: string[], pointsPerSeries: number) {
  const chart = chartSeries(svg);
  assert.equal(chart.lines.length, series.length, "one line per series");
  assert.equal(new Set(chart.lines.map((l) => l.stroke)).size, series.length, "distinct colors");
  for (const line of chart.lines) assert.equal(line.vertices, pointsPerSeries, "points per line");
  assert.deepEqual(chart.legendLabels, series, "legend entries, in order");
  return chart;
}

/** The columns of `scale_summary.csv`, in order. */
export const SCALE_SUMMARY_COLUMNS = [
  "target",
  "connections",
  "requests",
  "bytes",
  "mean_duration_ms",
  "mean_response_ms",
  "p50_ms",
  "p90_ms",
  "p99_ms",
  "p999_ms",
  "max_ms",
  "requests_per_sec",
  "elapsed_ms",
  "failures_connect",
  "failures_reset",
  "failures_timeout",
  "failures_mismatch",
];
