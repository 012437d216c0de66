/**
 * Tests for how socklab names its own files when it starts a copy of itself.
 *
 * @module
 */

import assert from "node:assert/strict";
import { filePath, selfCommand } from "../../lib/cli/self_command.ts";

Deno.test("filePath() gives a Windows path with its drive letter and backslashes", () => {
  const url = new URL("file:///C:/Users/a%20b/socklab/main.ts");
  assert.equal(filePath(url, "windows"), "C:\\Users\\a b\\socklab\\main.ts");
});

Deno.test("filePath() gives a network share as a UNC path on Windows", () => {
  assert.equal(
    filePath(new URL("file://server/share/main.ts"), "windows"),
    "\\\\server\\share\\main.ts",
  );
});

Deno.test("filePath() decodes a POSIX path and keeps its slashes", () => {
  assert.equal(filePath(new URL("file:///tmp/a%20b/main.ts"), "linux"), "/tmp/a b/main.ts");
  assert.equal(filePath(new URL("file:///tmp/main.ts"), "darwin"), "/tmp/main.ts");
});

Deno.test("selfCommand() runs this checkout's main.ts with its config under deno run", async () => {
  const { command, args } = selfCommand(["--version"]);
  const main = args.find((arg) => arg.endsWith("main.ts"))!;
  await Deno.stat(main);
  const out = await new Deno.Command(command, { args, stdout: "piped" }).output();
  assert.equal(out.success, true);
});
