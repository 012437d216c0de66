/**
 * How socklab starts another copy of itself (the `proc` mode's children, the servers `bench`
 * starts): the compiled binary runs itself; under `deno run` the same `deno` runs `main.ts`
 * with this project's config, so both ways behave alike.
 *
 * @module
 */

/**
 * The hidden subcommand a `proc` child runs: `socklab __child '<start JSON>'`, or with no
 * argument for a child started ahead of its connection, which reads its start from stdin.
 */
export const CHILD_COMMAND = "__child";

const MAIN = new URL("../../main.ts", import.meta.url);
const CONFIG = new URL("../../deno.json", import.meta.url);
/** The permissions socklab runs with, under `deno run` and in the compiled binary. */
export const PERMISSIONS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-run",
  "--allow-env",
  "--allow-sys",
];

/** The command and arguments that run `socklab <args>`. */
export function selfCommand(args: string[]): { command: string; args: string[] } {
  if (Deno.build.standalone) return { command: Deno.execPath(), args };
  return {
    command: Deno.execPath(),
    args: [
      "run",
      "--quiet",
      ...PERMISSIONS,
      "--config",
      filePath(CONFIG),
      filePath(MAIN),
      ...args,
    ],
  };
}

/**
 * The local path of a `file:` URL on `os`. A URL's pathname is not one on Windows
 * (`/C:/socklab/main.ts`), where `deno run` would take it for a path on the current drive.
 */
export function filePath(url: URL, os: typeof Deno.build.os = Deno.build.os): string {
  const path = decodeURIComponent(url.pathname);
  if (os !== "windows") return path;
  const local = /^\/[A-Za-z]:/.test(path) ? path.slice(1) : path;
  const unc = url.hostname === "" ? local : `//${url.hostname}${local}`;
  return unc.replaceAll("/", "\\");
}
