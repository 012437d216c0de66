/**
 * Tests of `scripts/cpu_profile_diff.ts` on two small profiles.
 *
 * @module
 */

import assert from "node:assert/strict";

const SCRIPT = new URL("../../scripts/cpu_profile_diff.ts", import.meta.url).pathname;

/** A profile whose samples spend `times` (function name -> ms) in one file each. */
function profile(times: Record<string, number>) {
  const names = Object.keys(times);
  const nodes = [
    { id: 1, callFrame: { functionName: "(idle)", url: "", lineNumber: -1 } },
    ...names.map((name, i) => ({
      id: i + 2,
      callFrame: { functionName: name, url: "file:///x/lib/a.ts", lineNumber: i },
    })),
  ];
  const samples: number[] = [1];
  const timeDeltas: number[] = [5_000_000];
  names.forEach((name, i) => {
    for (let ms = 0; ms < times[name]; ms++) {
      samples.push(i + 2);
      timeDeltas.push(1000);
    }
  });
  return JSON.stringify({ nodes, samples, timeDeltas });
}

Deno.test("cpu_profile_diff.ts lists functions by how much more time the first profile spent", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.cpuprofile`, profile({ close: 30, parse: 5, read: 10 }));
    await Deno.writeTextFile(`${dir}/b.cpuprofile`, profile({ close: 10, parse: 5, read: 12 }));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", SCRIPT, `${dir}/a.cpuprofile`, `${dir}/b.cpuprofile`],
      stdout: "piped",
    }).output();
    assert.equal(out.success, true);
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    // Idle time is left out of both sums.
    assert.equal(lines[0], "busy: A 45 ms, B 27 ms (self time, ms: A, B)");
    assert.deepEqual(lines.slice(1).map((line) => line.trim().split(/\s+/)), [
      ["30.0", "10.0", "close", "a.ts:1"],
      ["5.0", "5.0", "parse", "a.ts:2"],
      ["10.0", "12.0", "read", "a.ts:3"],
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
