/**
 * The compiled binary: `deno task compile` builds `dist/socklab`, which then runs `serve` in
 * `thr` and `proc` mode and `client`. Where no `denort` runtime can be had (no DENORT_BIN and
 * no download), the test says so and is ignored rather than pretending.
 *
 * @module
 */

import assert from "node:assert/strict";
import { SERVE } from "../support.ts";

const ROOT = decodeURIComponent(new URL("../..", import.meta.url).pathname);
const decoder = new TextDecoder();

async function compile(): Promise<{ skipped?: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "compile"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = decoder.decode(out.stdout);
  assert.equal(out.code, 0, decoder.decode(out.stderr));
  return text.startsWith("SKIPPED") ? { skipped: text.trim() } : {};
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(`${ROOT}dist/socklab`, {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

const { skipped } = await compile();
if (skipped) console.error(`compile test ignored: ${skipped}`);

Deno.test({
  name: "the compiled binary serves in thr and proc mode and runs the client",
  ignore: skipped !== undefined,
}, async (t) => {
  for (const mode of ["thr", "proc"]) {
    await t.step(`dist/socklab serve --mode ${mode}`, async () => {
      const server = new Deno.Command(`${ROOT}dist/socklab`, {
        args: [...SERVE, "--mode", mode, "--workers", "2", "--max-connections", "2"],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const reader = server.stderr.pipeThrough(new TextDecoderStream()).getReader();
      let seen = "";
      let match: RegExpExecArray | null = null;
      while (!match) {
        const { value, done } = await reader.read();
        assert.ok(!done, `server ended early: ${seen}`);
        seen += value;
        match = /listening on \S+:(\d+) /.exec(seen);
      }
      const client = await run([
        "client",
        "-w",
        "2",
        "-n",
        "3",
        "-p",
        "0.01",
        "-s",
        "127.0.0.1",
        "-P",
        match[1],
      ]);
      assert.equal(client.code, 0, client.stderr);
      const { code, stdout } = await server.output();
      reader.releaseLock();
      assert.equal(code, 0);
      assert.match(decoder.decode(stdout), /Messages: 6,/);
    });
  }
});
