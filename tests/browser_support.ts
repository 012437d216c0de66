/**
 * Test support for the HTML reports: opens a page in Debian's headless Chromium through
 * puppeteer-core with the network cut off (every request that is not for a `file:` or `data:`
 * URL fails and is recorded), collects console errors and uncaught exceptions, and keeps a
 * screenshot. `.ci/run` installs Chromium; where it is absent the browser tests are skipped
 * and say why.
 *
 * Screenshots go to the test's temporary folder and, when `SOCKLAB_SCREENSHOT_DIR` is set,
 * are copied there too: that is how the README's screenshots are made
 * (`SOCKLAB_SCREENSHOT_DIR=docs deno task test tests/reports/`).
 *
 * @module
 */

import assert from "node:assert/strict";
// Pinned here, not in the import map, which Deno installs in full before any run.
// deno-lint-ignore no-import-prefix
import puppeteer, { type Page } from "npm:puppeteer-core@24.43.1";

export type { Page };

/** A browser global the page functions below use: they run in Chromium, not in Deno. */
declare const getComputedStyle: (element: unknown) => { display: string };
/** The page's document, for the hit test below: only the one call it makes. */
declare const document: {
  elementFromPoint(x: number, y: number): { closest(selector: string): unknown } | null;
};

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** Why the browser tests cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  try {
    Deno.statSync(CHROMIUM);
    return undefined;
  } catch {
    return `${CHROMIUM} not found: install it with apt-get install chromium (.ci/run does)`;
  }
}

/**
 * `Deno.test` options for a browser test: skipped, saying why, without Chromium; puppeteer's
 * connection to the browser outlives a test's own async operations, so those are not checked.
 */
export function browserTest(file: string) {
  const reason = chromiumMissing();
  if (reason) console.error(`${file}: browser tests skipped: ${reason}`);
  return { ignore: reason !== undefined, sanitizeOps: false, sanitizeResources: false };
}

/** A temporary folder that is kept, so the report and screenshot in it outlive the test. */
export async function artifactDir(name: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: `socklab_${name}_` });
  console.log(`${name}: files kept in ${dir}`);
  return dir;
}

/** What a page did while it was open. */
export interface PageLog {
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** URLs the page tried to fetch from the network (all of them failed). */
  blocked: string[];
}

/** Opens `file` in a fresh headless Chromium with no network, runs `body`, closes it all. */
export async function withPage<T>(
  file: string,
  body: (page: Page, log: PageLog) => Promise<T>,
): Promise<T> {
  const profile = await Deno.makeTempDir({ prefix: "socklab_chromium_" });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    userDataDir: profile,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const log: PageLog = { errors: [], blocked: [] };
    page.on("console", (message) => {
      if (message.type() === "error") log.errors.push(message.text());
    });
    page.on("pageerror", (error) => log.errors.push(String(error)));
    await page.setRequestInterception(true);
    page.on("request", (request) => {
      const url = request.url();
      if (url.startsWith("file:") || url.startsWith("data:")) request.continue();
      else {
        log.blocked.push(url);
        request.abort("internetdisconnected");
      }
    });
    await page.goto(new URL(`file://${file}`).href, { waitUntil: "load" });
    return await body(page, log);
  } finally {
    await browser.close();
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}

/** Saves a full-page screenshot as `dir/name`, and into `$SOCKLAB_SCREENSHOT_DIR` when set. */
export async function keepScreenshot(page: Page, dir: string, name: string): Promise<string> {
  const path = `${dir}/${name}`;
  await page.screenshot({ path: path as `${string}.png`, fullPage: true });
  const copyTo = Deno.env.get("SOCKLAB_SCREENSHOT_DIR");
  if (copyTo) {
    await Deno.mkdir(copyTo, { recursive: true });
    await Deno.copyFile(path, `${copyTo}/${name}`);
  }
  return path;
}

/** Asserts the page logged no error and asked the network for nothing. */
export function assertQuiet(log: PageLog) {
  assert.deepEqual(log.errors, [], "no console errors");
  assert.deepEqual(log.blocked, [], "no network requests");
}

/** The text of each body row's cells of the table `selector`. */
export function tableRows(page: Page, selector: string): Promise<string[][]> {
  return page.$$eval(
    `${selector} tbody tr`,
    (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")),
  );
}

/** Clicks the header button of `column` in the table `selector`. */
export async function sortBy(page: Page, selector: string, column: string) {
  const heads = await page.$$(`${selector} thead th button`);
  const names = await Promise.all(heads.map((h) => h.evaluate((b) => b.textContent)));
  const index = names.indexOf(column);
  assert.ok(index >= 0, `column ${column} in ${names.join(", ")}`);
  await heads[index].click();
}

/** Sorting by `column` (cell `index`) twice gives ascending, then descending numeric order. */
export async function checkSort(page: Page, selector: string, column: string, index: number) {
  const numbers = async () => (await tableRows(page, selector)).map((r) => Number(r[index]));
  const before = await numbers();
  const ascending = [...before].sort((a, b) => a - b);
  await sortBy(page, selector, column);
  assert.deepEqual(await numbers(), ascending);
  await sortBy(page, selector, column);
  const descending = await numbers();
  assert.deepEqual(descending, [...ascending].reverse());
  assert.notDeepEqual(descending, before, "sorting reordered the rows");
}

/** Vega's description of an axis (`X` or `Y`) of the shown variant of chart `index`. */
export function visibleAxis(page: Page, index: number, axis: "X" | "Y"): Promise<string> {
  return page.$$eval(
    "figure.chart",
    (figures, index, axis) => {
      const visible = [...figures[index].querySelectorAll(".variant")].find((v) =>
        getComputedStyle(v).display !== "none"
      );
      return visible?.querySelector(`[aria-label^="${axis}-axis"]`)?.getAttribute("aria-label") ??
        "";
    },
    index,
    axis,
  );
}

/**
 * Hovers the first visible chart mark with a hover value that is on top at its own middle (a
 * narrow bar's middle may lie under its neighbour's wide transparent hover stroke); returns the
 * tooltip's text.
 */
export async function hoverFirstMark(page: Page): Promise<string> {
  let mark;
  for (const candidate of await page.$$("figure.chart [data-hover]")) {
    if (!await candidate.isVisible()) continue;
    const onTop = await candidate.evaluate((m) => {
      m.scrollIntoView({ block: "center", inline: "center" });
      const r = m.getBoundingClientRect();
      const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
      return hit?.closest("[data-hover]") === m;
    });
    if (onTop) {
      mark = candidate;
      break;
    }
  }
  assert.ok(mark, "a mark with a hover value");
  await mark.hover();
  const label = await mark.evaluate((m) => m.getAttribute("aria-label"));
  const tip = await page.$eval(
    "#tip",
    (t) => ({ hidden: t.hasAttribute("hidden"), text: t.textContent ?? "" }),
  );
  assert.equal(tip.hidden, false, "tooltip shown on hover");
  assert.equal(tip.text, label, "tooltip shows the mark's value");
  return tip.text;
}
