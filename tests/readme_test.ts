/**
 * README.md read as a clone's user reads it: every file it names or links to is in the
 * repository, so nothing it needs lives outside (such as a `../shared/` folder).
 *
 * @module
 */

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

/**
 * The relative paths a Markdown text links to or names in code spans (those with a folder; a
 * placeholder such as `DIR/report.html` is not a path).
 */
function namedPaths(markdown: string): string[] {
  const links = [...markdown.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]);
  const spans = [...markdown.matchAll(/`((?:\.\.?\/)?[a-z_.][\w.-]*\/[\w./-]*\.\w+)`/g)].map((m) =>
    m[1]
  );
  return [...new Set([...links, ...spans])].filter((path) => !/^[a-z]+:/.test(path));
}

Deno.test("namedPaths() finds links and folder paths in code spans", () => {
  assert.deepEqual(
    namedPaths(
      "[x](docs/a.md#top), `../shared/SPEC.md`, `DIR/r.html`, `--csv`, [w](https://e.org)",
    ),
    ["docs/a.md", "../shared/SPEC.md"],
  );
});

Deno.test("README.md names only files the repository has", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const paths = namedPaths(readme);
  assert.ok(paths.length > 0);
  for (const path of paths) {
    assert.ok(!path.startsWith("../"), `README.md points outside the repository: ${path}`);
    await Deno.stat(new URL(path, ROOT)).catch(() => assert.fail(`README.md names ${path}`));
  }
});
