/**
 * `deno task smoke PROGRAM [ARGS...]`: runs a socklab build the way its users will, before it
 * ships. PROGRAM [ARGS...] is what runs socklab: a compiled binary (`dist/socklab-…`) or
 * `deno run -A main.ts`. A compiled program breaks where `--version` never reaches: the Web
 * Worker modules it must include, the `proc` mode re-running the binary, the permissions baked
 * in when it was compiled. So this runs `--version`, `demo`, `bench sweep --quick`,
 * `bench scale --quick`, and `serve` and `task-serve` in `thr` and `proc` mode (a pool and
 * `--workers 0`), each against a short client run.
 *
 * Every server stops by itself (`--max-connections`, `--duration` as a backstop), so no signal
 * is sent and the checks run alike on Linux, macOS and Windows. Each check prints `ok NAME` or
 * `FAILED NAME: reason` with the command and its output; the exit code is 1 if any failed.
 *
 * @module
 */

import { resolve } from "node:path";
import denoConfig from "../deno.json" with { type: "json" };
import { readLines } from "../lib/protocols/line_reader.ts";

/** How long one socklab command may run; `bench sweep --quick` takes about 10 s (2 s here). */
const TIME_LIMIT_MS = 180_000;
/** A server whose clients never came stops by itself after this, and the check fails. */
const SERVER_DURATION = "60s";
const LISTENING = /listening on \S+:(\d+) /;
const SHOWN_LINES = 25;

/** What one socklab command did. */
interface Run {
  command: string;
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** A check that did not pass, with the run that shows why. */
class CheckFailure extends Error {
  constructor(message: string, readonly run?: Run) {
    super(message);
  }
}

/** Starts `PREFIX args`; `onStderr` sees each stderr line as it comes. */
function spawn(prefix: string[], args: string[], onStderr: (line: string) => void = () => {}) {
  const [program, ...programArgs] = prefix;
  const signal = AbortSignal.timeout(TIME_LIMIT_MS);
  const child = new Deno.Command(program, {
    args: [...programArgs, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal,
  }).spawn();
  const stdout: string[] = [];
  const stderr: string[] = [];
  const done = Promise.all([
    child.status,
    readLines(child.stdout, (line) => stdout.push(line)),
    readLines(child.stderr, (line) => {
      stderr.push(line);
      onStderr(line);
    }),
  ]).then(([status]): Run => ({
    command: [...prefix, ...args].join(" "),
    code: status.code,
    stdout: stdout.join("\n"),
    stderr: stderr.join("\n"),
    timedOut: signal.aborted,
  }));
  return { child, done };
}

/** Runs `PREFIX args` to its end; fails unless it exits 0. */
async function run(prefix: string[], args: string[]): Promise<Run> {
  const result = await spawn(prefix, args).done;
  if (result.timedOut) {
    throw new CheckFailure(`stopped after ${TIME_LIMIT_MS / 1000} s without finishing`, result);
  }
  if (result.code !== 0) throw new CheckFailure(`exit code ${result.code}, expected 0`, result);
  return result;
}

/** Runs `body` against a server started with `PREFIX args` and returns the server's run. */
async function withServer(
  prefix: string[],
  args: string[],
  body: (port: number) => Promise<void>,
): Promise<Run> {
  let onPort!: (port: number) => void;
  const listening = new Promise<number>((resolve) => onPort = resolve);
  const server = spawn(prefix, args, (line) => {
    const match = LISTENING.exec(line);
    if (match) onPort(Number(match[1]));
  });
  const port = await Promise.race([listening, server.done]);
  if (typeof port !== "number") throw new CheckFailure("the server ended before listening", port);
  try {
    await body(port);
  } catch (error) {
    server.child.kill("SIGKILL");
    await server.done;
    throw error;
  }
  const result = await server.done;
  if (result.timedOut || result.code !== 0) {
    throw new CheckFailure(`the server ended with exit code ${result.code}, expected 0`, result);
  }
  return result;
}

/** The `--json` summary a server printed, with the counts checked here. */
function serverSummary(result: Run): { opened: number; messages: number } {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new CheckFailure("the server's --json summary is not JSON", result);
  }
}

function expectCounts(result: Run, opened: number, messages: number): void {
  const summary = serverSummary(result);
  if (summary.opened !== opened || summary.messages !== messages) {
    throw new CheckFailure(
      `the server counted ${summary.opened} connections and ${summary.messages} messages, expected ${opened} and ${messages}`,
      result,
    );
  }
}

function expectOutput(result: Run, expected: string[]): void {
  const missing = expected.filter((text) => !result.stdout.includes(text));
  if (missing.length > 0) {
    throw new CheckFailure(`the output lacks ${missing.map((t) => `"${t}"`).join(", ")}`, result);
  }
}

/** Fails unless `dir` holds the JSON, report.md and at least one SVG chart of a bench run. */
async function expectReports(dir: string, json: string, result: Run): Promise<unknown> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  if (
    !names.includes(json) || !names.includes("report.md") || !names.some((n) => /\.svg$/.test(n))
  ) {
    throw new CheckFailure(
      `--out wrote ${names.join(", ") || "nothing"}; expected ${json}, report.md and SVG charts`,
      result,
    );
  }
  return JSON.parse(await Deno.readTextFile(`${dir}/${json}`));
}

/** One request per connection, and the reply the task server must give. */
const TASKS = [
  ["case", "Hello World", "hELLO wORLD"],
  ["eval", "2**100", "1267650600228229401496703205376"],
  ["reverse", "socklab", "balkcos"],
];

function serverCheck(command: "serve" | "task-serve", mode: string, workers: string) {
  const connections = command === "serve" ? 2 : TASKS.length;
  const serverArgs = [
    command,
    ...["--host", "127.0.0.1", "--port", "0", "--mode", mode, "--workers", workers],
    ...["--max-connections", String(connections), "--duration", SERVER_DURATION, "--json"],
  ];
  return {
    name: `${command} --mode ${mode} --workers ${workers}`,
    async run(prefix: string[]) {
      const server = await withServer(prefix, serverArgs, async (port) => {
        const target = ["-s", "127.0.0.1", "-P", String(port)];
        if (command === "serve") {
          await run(prefix, ["client", ...target, "-w", "2", "-n", "3", "-p", "0.01"]);
          return;
        }
        for (const [op, text, reply] of TASKS) {
          const client = await run(prefix, [
            "client",
            "--task",
            ...target,
            "--op",
            op,
            "--text",
            text,
          ]);
          if (client.stdout.trim() !== reply) {
            throw new CheckFailure(
              `${op} "${text}" replied "${client.stdout.trim()}", expected "${reply}"`,
              client,
            );
          }
        }
      });
      expectCounts(server, connections, command === "serve" ? 6 : TASKS.length);
    },
  };
}

/** Every check, in the order they run. */
const CHECKS: { name: string; run(prefix: string[], scratch: string): Promise<void> }[] = [
  {
    name: "--version",
    async run(prefix) {
      const result = await run(prefix, ["--version"]);
      if (result.stdout.trim() !== `socklab ${denoConfig.version}`) {
        throw new CheckFailure(`expected "socklab ${denoConfig.version}" (deno.json)`, result);
      }
    },
  },
  {
    name: "demo",
    async run(prefix) {
      expectOutput(await run(prefix, ["demo"]), [
        "All workers have finished.",
        "Average connection inter-arrival time:",
        "1267650600228229401496703205376",
      ]);
    },
  },
  {
    name: "bench sweep --quick",
    async run(prefix, scratch) {
      const out = `${scratch}/sweep`;
      // The --quick preset's clients and every mode, with a shorter hold: the 200 ms a reply is
      // held (35 times in turn for iter) is waiting, and what is checked is that each mode ran.
      const args = ["bench", "sweep", "--quick", "--delay", "20ms", "--out", out];
      const result = await run(prefix, args);
      const sweep = await expectReports(out, "sweep.json", result) as {
        settings: { targets: string[] };
        measurements: { mode: string }[];
      };
      const measured = new Set(sweep.measurements.map((m) => m.mode));
      const missing = sweep.settings.targets.filter((mode) => !measured.has(mode));
      if (missing.length > 0) {
        throw new CheckFailure(`sweep.json has no measurement for ${missing.join(", ")}`, result);
      }
    },
  },
  {
    name: "bench scale --quick",
    async run(prefix, scratch) {
      const out = `${scratch}/scale`;
      const result = await run(prefix, ["bench", "scale", "--quick", "--out", out]);
      const scale = await expectReports(out, "scale.json", result) as {
        summaries: { requests: number }[];
      };
      if (scale.summaries.length === 0 || scale.summaries.some((s) => !(s.requests > 0))) {
        throw new CheckFailure("scale.json has a connection count without requests", result);
      }
    },
  },
  ...(["serve", "task-serve"] as const).flatMap((command) =>
    ["thr", "proc"].flatMap((mode) =>
      ["2", "0"].map((workers) => serverCheck(command, mode, workers))
    )
  ),
];

function describe(failure: unknown): string {
  if (!(failure instanceof CheckFailure)) {
    return failure instanceof Error ? failure.stack ?? failure.message : String(failure);
  }
  if (!failure.run) return failure.message;
  const tail = (text: string) =>
    text.split("\n").slice(-SHOWN_LINES).map((line) => `    ${line}`).join("\n");
  const { command, code, stdout, stderr } = failure.run;
  return [
    failure.message,
    `  $ ${command}`,
    `  exit code ${code}`,
    `  stdout (last ${SHOWN_LINES} lines):\n${tail(stdout)}`,
    `  stderr (last ${SHOWN_LINES} lines):\n${tail(stderr)}`,
  ].join("\n");
}

/** Runs every check against `prefix`; returns how many failed. */
async function smoke(prefix: string[]): Promise<number> {
  const scratch = await Deno.makeTempDir({ prefix: "socklab-smoke-" });
  let failed = 0;
  try {
    for (const check of CHECKS) {
      const started = performance.now();
      try {
        await check.run(prefix, scratch);
        console.log(`ok ${check.name} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      } catch (failure) {
        failed++;
        console.log(`FAILED ${check.name}: ${describe(failure)}`);
      }
    }
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
  console.log(`smoke: ${CHECKS.length - failed} passed, ${failed} failed: ${prefix.join(" ")}`);
  return failed;
}

if (import.meta.main) {
  const usage =
    "Usage: deno task smoke PROGRAM [ARGS...], where PROGRAM [ARGS...] runs socklab: a binary such as dist/socklab-x86_64-unknown-linux-gnu, or deno run -A main.ts";
  if (Deno.args[0] === "--help" || Deno.args[0] === "-h") {
    console.log(usage);
    Deno.exit(0);
  }
  if (Deno.args.length === 0) {
    console.error(`Missing PROGRAM. ${usage}`);
    Deno.exit(2);
  }
  const [program, ...args] = Deno.args;
  // A relative binary path is resolved here: Windows does not look up "dist/socklab.exe" from the
  // working directory the way a POSIX shell does.
  const path = /[\\/]/.test(program) ? resolve(program) : program;
  Deno.exit(await smoke([path, ...args]) > 0 ? 1 : 0);
}
