/**
 * The style sheet and the script every HTML report page carries inline, so a page needs no
 * network and no other file. The script is plain browser JavaScript with no library: it sorts
 * and pages the tables from the JSON data block, switches each chart between its pre-rendered
 * linear and log variants, toggles series from the legend, and shows a point's value on hover.
 * Marks are matched to their series through their hover labels (the `aria-label` Vega writes),
 * which the data block maps to series.
 *
 * @module
 */

/** The page's CSS. */
export const PAGE_STYLE = `
:root { color-scheme: light; --line: #d8dce3; --muted: #5b6472; --accent: #1f5fbf; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 1.5rem; color: #1d232c; background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
p.sub, p.note { color: var(--muted); margin: .2rem 0 .6rem; }
.facts-grid { display: flex; flex-wrap: wrap; gap: 0 2rem; align-items: flex-start; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: .2rem 0; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
td.num, th.num { text-align: right; }
table.facts th { font-weight: 600; color: var(--muted); }
table.data thead th { position: sticky; top: 0; background: #f3f5f8; padding: 0; }
table.data tbody tr:nth-child(even) { background: #fafbfc; }
th button { all: unset; cursor: pointer; display: block; padding: .3rem .6rem; width: 100%; box-sizing: border-box; }
th button:focus-visible { outline: 2px solid var(--accent); }
th[aria-sort="ascending"] button::after { content: " \\25B2"; font-size: .7em; }
th[aria-sort="descending"] button::after { content: " \\25BC"; font-size: .7em; }
.pager { display: flex; gap: .5rem; align-items: center; color: var(--muted); margin: .3rem 0 1rem; }
button.pill { font: inherit; font-size: .85rem; border: 1px solid var(--line); background: #fff;
  border-radius: 999px; padding: .1rem .7rem; cursor: pointer; color: inherit; }
button.pill[aria-pressed="true"] { background: #e8effb; border-color: var(--accent); }
button.pill[aria-pressed="false"][data-series] { opacity: .5; text-decoration: line-through; }
button.pill:disabled { opacity: .4; cursor: default; }
.swatch { display: inline-block; width: .75em; height: .75em; border-radius: 50%; margin-right: .35em; vertical-align: -.05em; }
figure.chart { margin: 1rem 0 2rem; }
.controls { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; align-items: center; margin-bottom: .4rem; font-size: .85rem; color: var(--muted); }
.controls [role="group"] { display: inline-flex; flex-wrap: wrap; gap: .3rem; align-items: center; }
.variant svg { width: 880px; max-width: 100%; height: auto; }
figure.chart[data-scale="linear"] .variant[data-scale="log"],
figure.chart[data-scale="log"] .variant[data-scale="linear"] { display: none; }
svg .off { display: none; }
svg [data-hover] { stroke: transparent; stroke-width: 14px; cursor: crosshair; }
svg [data-hover]:hover { stroke: rgba(0, 0, 0, .25); stroke-width: 6px; }
#tip { position: fixed; pointer-events: none; background: #1d232c; color: #fff; font-size: .8rem;
  padding: .25rem .5rem; border-radius: 4px; white-space: nowrap; z-index: 10; }
`;

/** The page's script; reads the JSON block with id `socklab-data`. */
export const PAGE_SCRIPT = `
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("socklab-data").textContent);
  const PAGE = data.pageSize;
  const collator = new Intl.Collator(undefined, { numeric: true });
  const number = (v) => (typeof v === "number" ? v : parseFloat(v));
  const compareNumbers = (a, b) =>
    Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : a - b;

  data.tables.forEach((t, i) => {
    const table = document.getElementById("t" + i);
    const tbody = table.tBodies[0];
    const pager = document.getElementById("t" + i + "-pager");
    const heads = [...table.tHead.rows[0].cells];
    const state = { order: t.rows.map((_, r) => r), page: 0, column: -1, direction: 1 };
    const render = () => {
      const start = state.page * PAGE;
      tbody.replaceChildren(...state.order.slice(start, start + PAGE).map((r) => {
        const tr = document.createElement("tr");
        t.rows[r].forEach((value, c) => {
          const td = tr.insertCell();
          td.textContent = String(value);
          if (t.numeric[c]) td.className = "num";
        });
        return tr;
      }));
      if (!pager) return;
      const end = Math.min(start + PAGE, t.rows.length);
      pager.querySelector(".range").textContent =
        (start + 1) + "\\u2013" + end + " of " + t.rows.length + " rows";
      pager.querySelector(".prev").disabled = state.page === 0;
      pager.querySelector(".next").disabled = end >= t.rows.length;
    };
    heads.forEach((th, c) => {
      th.querySelector("button").addEventListener("click", () => {
        state.direction = state.column === c ? -state.direction : 1;
        state.column = c;
        const keys = t.rows.map((row) => (t.numeric[c] ? number(row[c]) : String(row[c])));
        const compare = t.numeric[c] ? compareNumbers : collator.compare;
        state.order.sort((a, b) => compare(keys[a], keys[b]) * state.direction || a - b);
        heads.forEach((h) => h.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", state.direction > 0 ? "ascending" : "descending");
        state.page = 0;
        render();
      });
    });
    if (pager) {
      pager.querySelector(".prev").addEventListener("click", () => { state.page--; render(); });
      pager.querySelector(".next").addEventListener("click", () => { state.page++; render(); });
    }
    render();
  });

  const tip = document.getElementById("tip");
  data.charts.forEach((chart, i) => {
    const figure = document.getElementById("c" + i);
    for (const el of figure.querySelectorAll("svg [aria-label]")) {
      const series = chart.labels[el.getAttribute("aria-label")];
      if (series === undefined) continue;
      el.setAttribute("data-series", series);
      if (el.getAttribute("aria-roledescription") !== "line mark") el.setAttribute("data-hover", "");
    }
    const scales = figure.querySelectorAll("button[data-scale]");
    for (const button of scales) {
      button.addEventListener("click", () => {
        figure.dataset.scale = button.dataset.scale;
        for (const other of scales) other.setAttribute("aria-pressed", String(other === button));
      });
    }
    for (const button of figure.querySelectorAll("button[data-series]")) {
      button.addEventListener("click", () => {
        const shown = button.getAttribute("aria-pressed") !== "true";
        button.setAttribute("aria-pressed", String(shown));
        const marks = figure.querySelectorAll('svg [data-series="' + button.dataset.series + '"]');
        for (const mark of marks) mark.classList.toggle("off", !shown);
      });
    }
  });
  const place = (event) => {
    tip.style.left = event.clientX + 12 + "px";
    tip.style.top = event.clientY + 12 + "px";
  };
  document.addEventListener("mouseover", (event) => {
    const mark = event.target.closest && event.target.closest("[data-hover]");
    tip.hidden = !mark;
    if (!mark) return;
    tip.textContent = mark.getAttribute("aria-label");
    place(event);
  });
  document.addEventListener("mousemove", (event) => { if (!tip.hidden) place(event); });
})();
`;
