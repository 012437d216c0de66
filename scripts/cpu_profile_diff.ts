/**
 * Compares two V8 CPU profiles (`deno run --cpu-prof`) function by function: the self time of
 * each in both, sorted by how much more the first spent, and the time neither spent idle. This is
 * how BENCHMARKS.md section 4 sets socklab's server beside the `node:net` probe under the same load.
 *
 * Usage: deno run -A scripts/cpu_profile_diff.ts A.cpuprofile B.cpuprofile [rows=40]
 *
 * @module
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Milliseconds of self time per function, keyed `name file:line`. */
function selfTimes(path: string): Map<string, number> {
  const profile: Profile = JSON.parse(Deno.readTextFileSync(path));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const times = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    const key = `${functionName || "(anonymous)"} ${url.replace(/^.*\//, "")}:${lineNumber + 1}`;
    times.set(key, (times.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  times.delete("(idle) :0");
  return times;
}

const [first, second, rows = "40"] = Deno.args;
if (second === undefined) {
  console.error("Usage: deno run -A scripts/cpu_profile_diff.ts A.cpuprofile B.cpuprofile [rows]");
  Deno.exit(2);
}
const a = selfTimes(first);
const b = selfTimes(second);
const sum = (times: Map<string, number>) => [...times.values()].reduce((x, y) => x + y, 0);
console.log(`busy: A ${sum(a).toFixed(0)} ms, B ${sum(b).toFixed(0)} ms (self time, ms: A, B)`);
const ms = (times: Map<string, number>, key: string) => times.get(key) ?? 0;
const keys = [...new Set([...a.keys(), ...b.keys()])];
keys.sort((x, y) => (ms(a, y) - ms(b, y)) - (ms(a, x) - ms(b, x)));
for (const key of keys.slice(0, Number(rows))) {
  const column = (times: Map<string, number>) => ms(times, key).toFixed(1).padStart(8);
  console.log(`${column(a)} ${column(b)}  ${key}`);
}
