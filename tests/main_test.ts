/**
 * CLI tests: `main.ts` spawned as users run it; stdout, stderr and exit codes checked.
 *
 * @module
 */

import assert from "node:assert/strict";
import { clientArgs, runSocklab, SERVE, startServer } from "./support.ts";

for (const command of ["serve", "client", "task-serve", "bench", "demo"]) {
  Deno.test(`socklab ${command} --help prints its help on stdout and exits 0`, async () => {
    const { code, stdout, stderr } = await runSocklab([command, "--help"]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, new RegExp(`^socklab ${command}: `));
    assert.match(stdout, /Usage:\s+socklab /);
    assert.equal(stderr, "");
  });
}

Deno.test("socklab with no command prints the usage on stderr and exits 2", async () => {
  const { code, stdout, stderr } = await runSocklab([]);
  assert.equal(code, 2);
  assert.equal(stdout, "");
  assert.match(stderr, /Usage: socklab <command> \[options\]/);
});

Deno.test("socklab task-serve --help lists --delay before --help and describes --csv in its own words", async () => {
  const { stdout } = await runSocklab(["task-serve", "--help"]);
  assert.ok(stdout.indexOf("--delay DUR") < stdout.indexOf("-h, --help"), stdout);
  const csv = stdout.split("\n").find((line) => line.includes("--csv FILE"));
  assert.match(csv ?? "", /request/);
  assert.doesNotMatch(csv ?? "", /inter-arrival/);
});

Deno.test("socklab --help and --version exit 0", async () => {
  const help = await runSocklab(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Commands:\n\s+serve/);
  const version = await runSocklab(["--version"]);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^socklab \d+\.\d+\.\d+/);
});

const BAD_VALUES: [string[], RegExp][] = [
  [
    ["serve", "--port", "abc"],
    /^socklab: Invalid --port "abc": expected an integer from 0 to 65535\n$/,
  ],
  [
    ["serve", "--mode", "fork"],
    /^socklab: Invalid --mode "fork": expected one of iter, async, thr, proc\n$/,
  ],
  [
    ["client", "-s", "127.0.0.1", "--dist", "x"],
    /^socklab: Invalid --dist "x": expected one of det, uniform, exp/,
  ],
  [
    ["client", "-s", "127.0.0.1", "--param=-1"],
    /^socklab: Invalid --param "-1": expected a number greater than 0\n$/,
  ],
  [["task-serve", "--delay", "soon"], /^socklab: Invalid --delay "soon": expected a duration/],
  [["serve", "--bogus"], /^socklab: Unknown option "--bogus"/],
  [
    ["client", "-s", "h", "--param", "-1"],
    /^socklab: Invalid --param "-1": expected a number greater than 0\n$/,
  ],
  [
    ["client", "-s", "h", "-w", "-3"],
    /^socklab: Invalid --workers "-3": expected a positive integer up to 10000\n$/,
  ],
  [
    ["client", "-s", "h", "-n=-5"],
    /^socklab: Invalid --intervals "-5": expected a positive integer\n$/,
  ],
  [["client"], /^socklab: Missing --server: it is required\n$/],
  [["frobnicate"], /^socklab: Unknown command "frobnicate"/],
  [
    ["bench"],
    /^socklab: Missing benchmark: expected bench sweep, bench scale, bench arrivals or bench merge/,
  ],
  [["bench", "soak"], /^socklab: Unknown bench "soak": expected sweep, scale, arrivals or merge/],
];

for (const [args, message] of BAD_VALUES) {
  Deno.test(`socklab ${args.join(" ")} is a usage error: one line, exit 2`, async () => {
    const { code, stdout, stderr } = await runSocklab(args);
    assert.equal(code, 2);
    assert.match(stderr, message);
    assert.equal(stderr.trim().split("\n").length, 1);
    assert.equal(stdout, "");
  });
}

Deno.test("socklab serve on a port in use says so and exits 1", async () => {
  const holder = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const { code, stderr } = await runSocklab([
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      String(holder.addr.port),
    ]);
    assert.equal(code, 1);
    assert.match(stderr, /already in use; choose another --port/);
  } finally {
    holder.close();
  }
});

Deno.test("socklab client facing a closed port reports each worker, summarises, exits 1", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const { code, stdout, stderr } = await runSocklab([
    "client",
    "-w",
    "2",
    "-n",
    "3",
    "-s",
    "127.0.0.1",
    "-P",
    String(port),
  ]);
  assert.equal(code, 1);
  assert.match(stderr, /\[Worker 1\] Error: connection refused by 127\.0\.0\.1:\d+/);
  assert.match(stderr, /\[Worker 2\] Error: connection refused/);
  assert.match(stdout, /All workers have finished\./);
  assert.match(stdout, /Events sent: 0 of 6 .*2 workers failed/);
});

Deno.test("socklab serve --json prints a parseable summary", async () => {
  const server = await startServer([...SERVE, "--json", "--max-connections", "1"]);
  const client = await runSocklab(clientArgs(server.port, "-n", "2", "-p", "0.01"));
  assert.equal(client.code, 0);
  const { code, stdout } = await server.finished;
  assert.equal(code, 0);
  const summary = JSON.parse(stdout);
  assert.equal(summary.messages, 2);
  assert.equal(summary.dataInterArrival.count, 1);
});

Deno.test("deno.json's import map holds only packages main.ts imports, so a first run downloads no test tools", async () => {
  // Deno installs every package of the import map before any run or task.
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const mapped = Object.values(config.imports as Record<string, string>)
    .filter((target) => target.startsWith("npm:"))
    .map((target) => /^npm:(@?[^@/]+(?:\/[^@/]+)?)@/.exec(target)![1]);
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL("../main.ts", import.meta.url).pathname],
    stdout: "piped",
  }).output();
  const graph = JSON.parse(new TextDecoder().decode(stdout)) as {
    modules: { specifier: string }[];
  };
  const imported = new Set(
    graph.modules.flatMap(({ specifier }) =>
      /^npm:\/(@?[^@/]+(?:\/[^@/]+)?)@/.exec(specifier)?.[1] ?? []
    ),
  );
  assert.deepEqual(mapped.filter((name) => !imported.has(name)), []);
});
