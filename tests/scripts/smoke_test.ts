/**
 * `deno task smoke`, the release workflow's check of each binary, run here against
 * `deno run main.ts` (no compiled binary can be built without the internet): it passes a working
 * socklab, and names the failing checks, with the reason, for one that lacks permissions, as a
 * binary compiled with too few `--allow-*` flags would.
 *
 * @module
 */

import assert from "node:assert/strict";

const ROOT = decodeURIComponent(new URL("../..", import.meta.url).pathname);

async function smoke(prefix: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "smoke", ...prefix],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

const deno = (permissions: string[]) => [
  Deno.execPath(),
  "run",
  "--quiet",
  ...permissions,
  "--config",
  `${ROOT}deno.json`,
  `${ROOT}main.ts`,
];

Deno.test("smoke passes socklab run by deno run main.ts, every check the release needs", async () => {
  const { code, stdout } = await smoke(deno(["-A"]));
  assert.equal(code, 0, stdout);
  const servers = ["serve", "task-serve"].flatMap((command) =>
    ["thr", "proc"].flatMap((mode) =>
      ["2", "0"].map((workers) => `${command} --mode ${mode} --workers ${workers}`)
    )
  );
  for (
    const check of ["--version", "demo", "bench sweep --quick", "bench scale --quick", ...servers]
  ) {
    assert.match(stdout, new RegExp(`^ok ${check.replaceAll("-", "\\-")} \\(`, "m"), stdout);
  }
  assert.match(stdout, /smoke: \d+ passed, 0 failed/);
});

Deno.test("smoke fails, naming each check and the reason, when socklab lacks permissions", async () => {
  const { code, stdout } = await smoke(deno(["--allow-read", "--allow-env"]));
  assert.equal(code, 1, stdout);
  assert.match(stdout, /^ok --version/m);
  assert.match(stdout, /^FAILED demo: exit code 1, expected 0$/m);
  assert.match(
    stdout,
    /^FAILED serve --mode proc --workers 0: the server ended before listening$/m,
  );
  assert.match(stdout, /Requires (net|run) access/);
  assert.match(stdout, /smoke: 1 passed, \d+ failed/);
});

Deno.test("smoke without a program is a usage error", async () => {
  const { code, stderr } = await smoke([]);
  assert.equal(code, 2);
  assert.match(stderr, /Usage: deno task smoke PROGRAM/);
});
