/**
 * fast-check, for the property tests. Pinned here, not in deno.json's import map: Deno
 * installs every package of the import map before any run, so a first `deno task demo` would
 * download what only tests use (docs/notes/2026-12-07-first-run.md).
 *
 * @module
 */

export { default as fc } from "npm:fast-check@4.10.2";
