/**
 * Checks that every import in `lib/`, `modes/`, `main.ts` and `scripts/` points down the
 * layering in {@link LAYERS}: a file may import from its own layer and the layers below it,
 * never from one above, so no two folders depend on each other; and that the transports
 * ({@link SEALED}) are imported only beside them. `deno task check` runs it.
 *
 * It reads static (`import … from`, `export … from`, `import "…"`) and dynamic (`import("…")`)
 * imports with relative specifiers; packages (`npm:`, `node:`, import-map names) are below
 * every layer. A path handed to a process or Worker (`new URL("../../main.ts", …)`) is not an
 * import and is not checked.
 *
 * Usage: deno run --allow-read scripts/check_layers.ts [ROOT]
 *
 * @module
 */

/**
 * The layers, lowest first: a folder (or file) may import only itself and those before it.
 * A new file goes in the lowest layer that holds everything it imports. The test files are not
 * checked; their helpers sit below `scripts/` only because a script reuses them.
 */
export const LAYERS = [
  "deno.json",
  "lib/stats",
  "lib/cli",
  "lib/protocols",
  "lib/net",
  "lib/server",
  "lib/client",
  "modes",
  "lib/bench",
  "lib/reports",
  "lib/commands",
  "main.ts",
  "tests",
  "scripts",
] as const;

/**
 * Files that only their own folder may import: the socket APIs behind the transport seam
 * (lib/net/transport.ts), which everything above reaches through `transportFor`
 * (lib/net/transports.ts), so that no mode or command depends on one.
 */
export const SEALED: readonly string[] = [
  "lib/net/deno_transport.ts",
  "lib/net/node_transport.ts",
  "lib/net/node_listener.ts",
  "lib/net/node_conn.ts",
];

/** The folders and files whose imports are checked. */
const CHECKED = ["lib", "modes", "main.ts", "scripts"];

/** An import that points up the layering, out of every layer, or past the transport seam. */
export interface LayerViolation {
  /** The importing file and the file it imports, relative to the root. */
  from: string;
  to: string;
  message: string;
}

const STATIC_IMPORT =
  /^\s*(?:import|export)\s+(?:type\s+)?[\w\s{},*$]*?\bfrom\s*["']([^"']+)["']/gm;
const BARE_IMPORT = /^\s*import\s*["']([^"']+)["']/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** The specifiers `source` imports, in the order they appear by kind. */
export function importSpecifiers(source: string): string[] {
  return [STATIC_IMPORT, BARE_IMPORT, DYNAMIC_IMPORT].flatMap((pattern) =>
    [...source.matchAll(pattern)].map((match) => match[1])
  );
}

/** The index in {@link LAYERS} of the layer holding `path` (relative to the root), or -1. */
export function layerIndex(path: string): number {
  return LAYERS.findIndex((layer) => path === layer || path.startsWith(`${layer}/`));
}

/** `specifier` resolved against the folder of `from`, both relative to the root. */
function resolve(from: string, specifier: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const part of specifier.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

/** The folder of `path` (relative to the root), "" for the root. */
function folderOf(path: string): string {
  return path.split("/").slice(0, -1).join("/");
}

/**
 * Every import among `files` (path relative to the root → source) that points up the
 * layering, out of every layer, or into a {@link SEALED} file from another folder; a folder
 * pair that imports both ways is named as such.
 */
export function layerViolations(files: ReadonlyMap<string, string>): LayerViolation[] {
  const edges: { from: string; to: string; fromLayer: number; toLayer: number }[] = [];
  for (const [from, source] of files) {
    for (const specifier of importSpecifiers(source)) {
      if (!specifier.startsWith("./") && !specifier.startsWith("../")) continue;
      const to = resolve(from, specifier);
      edges.push({ from, to, fromLayer: layerIndex(from), toLayer: layerIndex(to) });
    }
  }
  const imports = new Set(edges.map((edge) => `${edge.fromLayer} ${edge.toLayer}`));
  const violations: LayerViolation[] = [];
  for (const { from, to, fromLayer, toLayer } of edges) {
    if (SEALED.includes(to) && folderOf(from) !== folderOf(to)) {
      violations.push({
        from,
        to,
        message: `${from} imports ${to}, a transport behind the seam: use transportFor() ` +
          "(lib/net/transports.ts) and the Transport interface (lib/net/transport.ts)",
      });
    } else if (toLayer === -1) {
      violations.push({
        from,
        to,
        message: `${from} imports ${to}, which is in no layer: add its folder to LAYERS in ` +
          "scripts/check_layers.ts",
      });
    } else if (toLayer > fromLayer) {
      const below = LAYERS[fromLayer], above = LAYERS[toLayer];
      const both = imports.has(`${toLayer} ${fromLayer}`)
        ? ` (and ${above} imports ${below}: the two depend on each other)`
        : "";
      violations.push({
        from,
        to,
        message: `${from} imports ${to}, but ${below} is below ${above}${both}: move what it ` +
          `needs into ${below} or lower, or the importing file into ${above} or higher`,
      });
    }
  }
  return violations;
}

/** The checked `.ts` files under `root`, path relative to it → source. */
export async function readSources(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const visit = async (path: string): Promise<void> => {
    const info = await Deno.stat(`${root}/${path}`).catch(() => null);
    if (info?.isDirectory) {
      for await (const entry of Deno.readDir(`${root}/${path}`)) {
        await visit(`${path}/${entry.name}`);
      }
    } else if (info?.isFile && path.endsWith(".ts")) {
      files.set(path, await Deno.readTextFile(`${root}/${path}`));
    }
  };
  for (const path of CHECKED) await visit(path);
  return files;
}

if (import.meta.main) {
  const root = Deno.args[0] ?? new URL("..", import.meta.url).pathname;
  const files = await readSources(root);
  const violations = layerViolations(files);
  for (const violation of violations) console.error(violation.message);
  if (violations.length > 0) {
    console.error(
      `${violations.length} import(s) against the layering (lowest first: ${
        LAYERS.join(", ")
      }) or the transport seam`,
    );
    Deno.exit(1);
  }
  console.log(`check_layers: the imports of ${files.size} files point down the layering`);
}
