/**
 * The YAML parser the deploy and workflow tests read their files with. Pinned here, not in
 * deno.json's import map, which Deno installs in full before any run
 * (docs/notes/2026-12-07-first-run.md).
 *
 * @module
 */

export { parse, parseAllDocuments } from "npm:yaml@2.9.1";
