/**
 * Tests of `scripts/check_layers.ts` on small synthetic trees.
 *
 * @module
 */

import assert from "node:assert/strict";
import { importSpecifiers, layerViolations } from "../../scripts/check_layers.ts";

const SCRIPT = new URL("../../scripts/check_layers.ts", import.meta.url).pathname;

Deno.test("importSpecifiers() reads static, type, re-export, bare and dynamic imports", () => {
  const source = [
    'import { a, type B } from "./a.ts";',
    "import type {",
    "  C,",
    '} from "../c.ts";',
    'export { d } from "./d.ts";',
    'import "./e.ts";',
    'const f = await import("./f.ts");',
    'const url = new URL("../../main.ts", import.meta.url);',
    '/** Not {@link import} from "./g.ts" */',
  ].join("\n");
  assert.deepEqual(importSpecifiers(source).sort(), [
    "../c.ts",
    "./a.ts",
    "./d.ts",
    "./e.ts",
    "./f.ts",
  ]);
});

Deno.test("layerViolations() passes imports that point down or stay in their folder", () => {
  const files = new Map([
    ["lib/bench/a.ts", 'import { b } from "./b.ts";\nimport { n } from "../net/n.ts";'],
    ["main.ts", 'import x from "./deno.json" with { type: "json" };\nimport "npm:vega";'],
  ]);
  assert.deepEqual(layerViolations(files), []);
});

Deno.test("layerViolations() names an upward import, and a two-way pair as such", () => {
  const upward = new Map([["lib/net/connect.ts", 'import type { K } from "../bench/result.ts";']]);
  assert.deepEqual(layerViolations(upward).map((v) => [v.from, v.to]), [
    ["lib/net/connect.ts", "lib/bench/result.ts"],
  ]);
  assert.match(layerViolations(upward)[0].message, /lib\/net is below lib\/bench: move/);
  upward.set("lib/bench/result.ts", 'import { c } from "../net/connect.ts";');
  assert.match(layerViolations(upward)[0].message, /the two depend on each other/);
});

Deno.test("layerViolations() names an import of a transport from outside lib/net", () => {
  const files = new Map([
    ["modes/thr.ts", 'import { exhaustionCount } from "../lib/net/node_listener.ts";'],
    ["lib/net/transports.ts", 'import { denoTransport } from "./deno_transport.ts";'],
  ]);
  assert.deepEqual(layerViolations(files).map((v) => [v.from, v.to]), [
    ["modes/thr.ts", "lib/net/node_listener.ts"],
  ]);
  assert.match(layerViolations(files)[0].message, /behind the seam: use transportFor\(\)/);
});

Deno.test("layerViolations() names an import out of every layer", () => {
  const files = new Map([["modes/mod.ts", 'import { x } from "../docs/x.ts";']]);
  assert.match(
    layerViolations(files)[0].message,
    /modes\/mod\.ts imports docs\/x\.ts, which is in no layer/,
  );
});

Deno.test("check_layers.ts exits 1 naming the upward import in a tree", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/lib/stats`, { recursive: true });
    await Deno.mkdir(`${root}/lib/bench`, { recursive: true });
    await Deno.writeTextFile(`${root}/lib/bench/result.ts`, "export type R = number;\n");
    await Deno.writeTextFile(
      `${root}/lib/stats/histogram.ts`,
      'import type { R } from "../bench/result.ts";\n',
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", SCRIPT, root],
    }).output();
    assert.equal(output.code, 1);
    assert.match(
      new TextDecoder().decode(output.stderr),
      /lib\/stats\/histogram\.ts imports lib\/bench\/result\.ts, but lib\/stats is below lib\/bench/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
