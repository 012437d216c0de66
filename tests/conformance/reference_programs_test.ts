/**
 * Conformance with the reference programs themselves, run with `python3` (the files in
 * `tests/conformance/reference/`, each saying where it came from and what was changed):
 *
 * - the timestamp server and client of `reference/000_…`, written in Python from its
 *   description (it prints no code): socklab's `serve`, in every mode on both transports, must
 *   count the messages the reference client sent, text for text, and time them as sent; and the
 *   reference server must measure socklab's client as it measures the reference client at the
 *   same settings and draws;
 * - the task server and clients that `reference/004_…` prints, and the iterative server loop
 *   that `reference/002_…` prints, against socklab's task client and `task-serve`.
 *
 * `reference/003_…` prints no program code (only how its scripts are run and their results), so
 * there is nothing of it to run.
 *
 * The reference client sleeps each drawn interval and then sends, so its gaps are the interval
 * plus its own lateness, which no server can take out, and which a loaded machine makes a few
 * per cent: socklab's mean data gap is checked against the mean gap of what that client sent
 * (from the timestamps in its sentences), its median against the interval; and the reference
 * server's average for socklab's client must be within 2% of its average for the reference
 * client, or nearer than that to the mean of the intervals both clients drew (the same seed);
 * the two clients send at the same time, each to a server of its own, so both meet the same load.
 * A case that fails is measured again, up to three times in all: the machine's load can hold a
 * send or a read back by a whole interval, while what the test looks for, a wait or a merge of
 * socklab's own, shows every time.
 *
 * Where `python3` is missing the tests are skipped, and the file says so when it loads.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readLines } from "../../lib/protocols/line_reader.ts";
import { createRng, workerSeed } from "../../lib/stats/rng.ts";
import { drawSeconds } from "../../lib/stats/distribution.ts";
import { clientArgs, numberAfter, runSocklab, SERVE, startServer, TASK_SERVE } from "../support.ts";
import { waitFor } from "../support/wait_for.ts";

const REFERENCE = decodeURIComponent(new URL("./reference/", import.meta.url).pathname);

async function hasPython(): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("python3", { args: ["--version"] }).output();
    return success;
  } catch {
    return false;
  }
}

const ignore = !await hasPython();
if (ignore) {
  console.warn(
    "tests/conformance/reference_programs_test.ts: python3 is not installed, so the reference programs cannot run; skipped",
  );
}

/** A reference program running under python3, its output collected by line. */
interface PythonRun {
  /** The lines it printed so far (stdout and stderr). */
  lines: string[];
  /** Waits (up to 30 s) for `count` lines matching `pattern`; the first one's first group. */
  waitFor(pattern: RegExp, count?: number): Promise<string>;
  kill(signal: Deno.Signal): void;
  finished: Promise<{ code: number; output: string }>;
}

function runPython(script: string, args: string[], stdin?: string): PythonRun {
  const child = new Deno.Command("python3", {
    // Unbuffered, so lines come as printed; no bytecode written into the checkout.
    args: ["-u", "-B", REFERENCE + script, ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    writer.write(new TextEncoder().encode(stdin)).then(() => writer.close());
  }
  const lines: string[] = [];
  const reading = Promise.all([
    readLines(child.stdout, (line) => lines.push(line)),
    readLines(child.stderr, (line) => lines.push(line)),
  ]);
  // A program that hangs fails its test rather than the whole run.
  const limit = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const finished = child.status.then(async ({ code }) => {
    clearTimeout(limit);
    await reading;
    return { code, output: lines.join("\n") };
  });
  let exited = false;
  finished.then(() => exited = true);
  return {
    lines,
    async waitFor(pattern, count = 1) {
      const missing = () =>
        `${script}: no ${count} lines matching ${pattern} in:\n${lines.join("\n")}`;
      const matches = await waitFor(() => {
        const matches = lines.filter((line) => pattern.test(line));
        if (matches.length >= count) return matches;
        if (exited) throw new Error(missing());
      }, { what: missing, timeoutMs: 30_000, intervalMs: 20 });
      return pattern.exec(matches[0])?.[1] ?? "";
    },
    kill: (signal) => {
      if (!exited) child.kill(signal);
    },
    finished,
  };
}

/**
 * Runs `runs` at most `lanes` at a time: on a 2-core machine, many clients' start-up or sends
 * at once delay them, and the late sends then reach a `recv(1024)` together.
 */
async function inLanes<T>(runs: (() => Promise<T>)[], lanes: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    for (let i = next++; i < runs.length; i = next++) results[i] = await runs[i]();
  }));
  return results;
}

/** How many times a case is measured before its problems count. */
const ATTEMPTS = 3;

/**
 * No problems if one of {@link ATTEMPTS} measures has none, else the problems of all: the
 * machine's load, which the test does not control, can delay a send or a read by a whole interval
 * (then `recv(1024)` joins two messages) or by more than 2% of a 10 ms one, while what the test
 * looks for, a wait or a merge of socklab's own, shows every time.
 */
async function attempts(measure: (attempt: number) => Promise<string[]>): Promise<string[]> {
  const problems: string[] = [];
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const found = await measure(attempt);
    if (found.length === 0) return [];
    problems.push(...found.map((problem) => `attempt ${attempt + 1}: ${problem}`));
  }
  return problems;
}

/** A timestamp client run: workers × events, a distribution and its parameter. */
interface Load {
  workers: number;
  events: number;
  dist: "d" | "u" | "e";
  param: number;
}

const SEED = 24;

const KINDS = { d: "det", u: "uniform", e: "exp" } as const;

/** The mean of the intervals a client draws for `load` with {@link SEED}, in milliseconds. */
function drawnMeanMs(load: Load): number {
  const dist = { kind: KINDS[load.dist], param: load.param };
  let sum = 0;
  for (let worker = 1; worker <= load.workers; worker++) {
    const rng = createRng(workerSeed(SEED, worker));
    for (let event = 0; event < load.events; event++) sum += drawSeconds(dist, rng) * 1000;
  }
  return sum / (load.workers * load.events);
}

function loadArgs(load: Load): string[] {
  return [
    ...["-w", String(load.workers), "-n", String(load.events)],
    ...["-d", load.dist, "-p", String(load.param), "--seed", String(SEED)],
  ];
}

function describe(load: Load): string {
  return `-d ${load.dist} -p ${load.param}, ${load.workers} x ${load.events}`;
}

const ALL_MODES = ["iter", "async", "thr", "proc"];
const IOS = ["deno", "node"];
const AT_50_MS: Load = { workers: 3, events: 10, dist: "d", param: 0.05 };
/** The default mode at other intervals and distributions, means of 50 ms for `u` and `e`. */
const OTHER_LOADS: Load[] = [
  { workers: 5, events: 20, dist: "d", param: 0.01 },
  { workers: 5, events: 20, dist: "d", param: 0.1 },
  { workers: 5, events: 20, dist: "u", param: 0.1 },
  { workers: 5, events: 20, dist: "e", param: 20 },
];

const SENDING = /^\[Worker \d+\] Sending: (.*)$/;
const RECEIVED = /^Sentence "(.*)" received from /;

/** The mean gap between consecutive sentences of each worker, from their timestamps. */
function sentMeanGapMs(sentences: string[]): number {
  const byWorker = new Map<string, number[]>();
  for (const sentence of sentences) {
    const [, worker, stamp] = /^Worker (\d+), Event \d+, Timestamp (\d+)$/.exec(sentence)!;
    byWorker.set(worker, [...byWorker.get(worker) ?? [], Number(stamp)]);
  }
  let span = 0;
  let gaps = 0;
  for (const stamps of byWorker.values()) {
    span += stamps[stamps.length - 1] - stamps[0];
    gaps += stamps.length - 1;
  }
  return span / gaps;
}

/** What `socklab serve` made of the reference client's load. */
interface Served {
  name: string;
  load: Load;
  sent: string[];
  received: string[];
  messages: number;
  median: number;
  mean: number;
}

/** Starts `socklab serve` with `args`; the returned function runs the reference client on it. */
async function serveForReferenceClient(
  name: string,
  args: string[],
  load: Load,
): Promise<() => Promise<Served>> {
  const server = await startServer([
    ...SERVE,
    ...args,
    ...["--max-connections", String(load.workers), "--json", "--verbose"],
  ]);
  return async () => {
    const client = runPython("timestamp_client.py", [
      ...loadArgs(load),
      ...["-s", "127.0.0.1", "-P", String(server.port), "-v"],
    ]);
    const limit = setTimeout(() => server.kill("SIGTERM"), 60_000);
    const [{ output }, { stdout, stderr }] = await Promise.all([client.finished, server.finished]);
    clearTimeout(limit);
    const summary = JSON.parse(stdout);
    const matches = (text: string, pattern: RegExp) =>
      text.split("\n").flatMap((line) => pattern.exec(line)?.[1] ?? []);
    return {
      name,
      load,
      sent: matches(output, SENDING),
      received: matches(stderr, RECEIVED),
      messages: summary.messages,
      // Null when there was no gap to measure.
      median: summary.dataInterArrival.median ?? NaN,
      mean: summary.dataInterArrival.mean ?? NaN,
    };
  };
}

/**
 * How far apart (by their timestamps) one worker's sends may be and still reach a server in
 * one read: the client's Nagle algorithm holds a second small send until the first is
 * acknowledged, and a server that reads late finds both. The reference server's `recv(1024)`
 * then gets them as one message too; `u` and `e` draws of mean 50 ms are this close a few
 * times a run.
 */
const JOINABLE_MS = 10;

const SENTENCE = /Worker (\d+), Event (\d+), Timestamp (\d{13})/g;

/**
 * The sentences of a message that is consecutive sentences of one worker sent at most
 * {@link JOINABLE_MS} apart, or the message alone.
 */
function sentences(message: string): string[] {
  const parts = [...message.matchAll(SENTENCE)];
  if (parts.length < 2 || parts.map((p) => p[0]).join("") !== message) return [message];
  const joinable = parts.every((part, i) =>
    i === 0 ||
    part[1] === parts[i - 1][1] && Number(part[2]) === Number(parts[i - 1][2]) + 1 &&
      Number(part[3]) - Number(parts[i - 1][3]) <= JOINABLE_MS
  );
  return joinable ? parts.map((p) => p[0]) : [message];
}

/** Every way `served` departs from what the reference client sent. */
function departures(served: Served): string[] {
  const { name, load, sent } = served;
  const received = served.received.flatMap(sentences);
  const joined = received.length - served.received.length;
  const problems: string[] = [];
  const total = load.workers * load.events;
  if (sent.length !== total) problems.push(`${name}: the reference client sent ${sent.length}`);
  if (served.messages !== total - joined) {
    problems.push(
      `${name}: Messages ${served.messages} for ${total}` +
        (joined ? `, ${joined} of them sent too close to tell apart` : ""),
    );
  }
  if (JSON.stringify(received.toSorted()) !== JSON.stringify(sent.toSorted())) {
    const lost = sent.filter((s) => !received.includes(s));
    const odd = received.filter((r) => !sent.includes(r));
    problems.push(
      `${name}: received other texts than sent; not received ${JSON.stringify(lost)}, ` +
        `received ${JSON.stringify(odd)}`,
    );
  }
  if (load.dist === "d") {
    const interval = load.param * 1000;
    const sentMean = sentMeanGapMs(sent);
    if (!(Math.abs(served.median - interval) <= 1)) {
      problems.push(`${name}: median data gap ${served.median} ms for ${interval}`);
    }
    if (!(Math.abs(served.mean - sentMean) <= 0.02 * interval)) {
      problems.push(
        `${name}: mean data gap ${served.mean.toFixed(2)} ms for ${
          sentMean.toFixed(2)
        } ms sent (interval ${interval})`,
      );
    }
  }
  return problems;
}

Deno.test({
  name: "socklab serve counts and times what the 000 reference client sends, in every mode",
  ignore,
  async fn() {
    const cases = [
      ...ALL_MODES.flatMap((mode) =>
        IOS.map((io) => ({
          name: `serve --mode ${mode} --io ${io} (${describe(AT_50_MS)})`,
          args: ["--mode", mode, "--io", io],
          load: AT_50_MS,
        }))
      ),
      ...OTHER_LOADS.map((load) => ({ name: `serve (${describe(load)})`, args: [], load })),
    ];
    // Servers start first, all together, so that their start-up does not disturb the sends.
    const runs = await Promise.all(
      cases.map(({ name, args, load }) => serveForReferenceClient(name, args, load)),
    );
    const problems = (await inLanes(
      runs.map((run, i) => () =>
        attempts(async (attempt) => {
          const { name, args, load } = cases[i];
          return departures(
            await (attempt === 0 ? run : await serveForReferenceClient(name, args, load))(),
          );
        })
      ),
      2,
    )).flat();
    assert.deepEqual(problems, [], problems.join("\n"));
  },
});

/** What the reference server measured of one client's load. */
interface Measured {
  messages: number;
  gaps: number;
  average: number;
}

/** The reference server, started on a free port, with what it measures once `workers` closed. */
async function referenceServer(workers: number) {
  const server = runPython("timestamp_server.py", [
    "-a",
    "127.0.0.1",
    "-p",
    "0",
    "-m",
    "thr",
    "-v",
  ]);
  const port = Number(await server.waitFor(/ready to receive on port (\d+)/));
  return {
    port,
    /** Resolves at its first accept. */
    accepted: () => server.waitFor(/^\[\+\] New connection/),
    async measured(): Promise<Measured> {
      await server.waitFor(/^\[x\] Connection closed/, workers);
      server.kill("SIGINT");
      const { output } = await server.finished;
      return {
        messages: numberAfter(output, "Messages:"),
        gaps: numberAfter(output, "Data inter-arrival times:"),
        average: numberAfter(output, "Average data inter-arrival time:"),
      };
    },
  };
}

async function runSocklabClient(port: number, load: Load, io?: string): Promise<void> {
  const args = [...loadArgs(load), ...(io ? ["--io", io] : [])];
  const { code, stdout, stderr } = await runSocklab(clientArgs(port, ...args), undefined, {
    limitMs: 60_000,
  });
  assert.equal(code, 0, stdout + stderr);
}

async function runReferenceClient(port: number, load: Load): Promise<void> {
  const { code, output } = await runPython("timestamp_client.py", [
    ...loadArgs(load),
    ...["-s", "127.0.0.1", "-P", String(port)],
  ]).finished;
  assert.equal(code, 0, output);
}

/**
 * The reference server's measures of socklab's client and of the reference client, each on a
 * server of its own, sending at the same time, so that both meet the same load.
 */
async function measureBoth(load: Load, io?: string): Promise<[Measured, Measured]> {
  const [ours, theirs] = await Promise.all([
    referenceServer(load.workers),
    referenceServer(load.workers),
  ]);
  // The reference client starts as socklab's connects, past its start-up.
  const running = runSocklabClient(ours.port, load, io);
  await ours.accepted();
  await Promise.all([running, runReferenceClient(theirs.port, load)]);
  return await Promise.all([ours.measured(), theirs.measured()]);
}

Deno.test({
  name: "the 000 reference server measures socklab's client as it measures its own client",
  ignore,
  async fn() {
    const cases = [
      ...IOS.map((io) => ({ name: `client --io ${io}`, load: AT_50_MS, io })),
      ...OTHER_LOADS.map((load) => ({ name: "client", load, io: undefined })),
    ];
    const problems = (await inLanes(
      cases.map(({ name, load, io }) => () =>
        attempts(async () => {
          const [ours, theirs] = await measureBoth(load, io);
          const drawn = drawnMeanMs(load);
          if (
            Math.abs(ours.average - theirs.average) <= 0.02 * theirs.average ||
            Math.abs(ours.average - drawn) <= Math.abs(theirs.average - drawn)
          ) return [];
          const total = load.workers * load.events;
          const counts = (m: Measured) => `${m.messages} messages, ${m.gaps} gaps for ${total}`;
          return [
            `${name} (${
              describe(load)
            }): average data gap ${ours.average} ms for socklab's client (${
              counts(ours)
            }), ${theirs.average} ms for the reference client (${
              counts(theirs)
            }); the draws' mean ${drawn.toFixed(3)} ms`,
          ];
        })
      ),
      1,
    )).flat();
    assert.deepEqual(problems, [], problems.join("\n"));
  },
});

/** A free loopback port, for the printed servers, which listen on the port they are given. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** Runs a printed task server on a free port until `work` is done with it. */
async function withPrintedServer(
  script: string,
  stdin: string | undefined,
  work: (port: number) => Promise<void>,
): Promise<void> {
  const port = freePort();
  const server = runPython(script, [String(port)], stdin);
  try {
    await server.waitFor(new RegExp(`on 127\\.0\\.0\\.1:${port}\\b`));
    await work(port);
  } finally {
    server.kill("SIGINT");
    await server.finished;
  }
}

/** `socklab client --task --op OP --text TEXT`: its reply. */
async function ask(port: number, op: string, text: string): Promise<string> {
  const { code, stdout, stderr } = await runSocklab(
    clientArgs(port, "--task", "--op", op, "--text", text),
    undefined,
    { limitMs: 30_000 },
  );
  assert.equal(code, 0, stderr);
  return stdout;
}

const MENU_INPUT = "1\nHello\n2\n7/2\n3\nabc\n4\n";
const MENU_RESULTS = ["Result: hELLO", "Result: 3.5", "Result: cba"];

/** The `Result: …` lines of a menu client's output, wherever the prompts put them. */
function results(output: string): string[] {
  return output.split("\n").flatMap((line) => {
    const at = line.indexOf("Result: ");
    return at < 0 ? [] : [line.slice(at)];
  });
}

Deno.test({
  name: "socklab's task client gets the 004 task server's replies, in its three designs",
  ignore,
  async fn() {
    await Promise.all(
      ["1", "2", "3"].map((design) =>
        withPrintedServer("task_server_004.py", `${design}\n`, async (port) => {
          // The numeric form, each reply without a newline, one of them a single byte.
          for (
            const [op, text, reply] of [
              ["eval", "1+2", "3"],
              ["case", "Hello", "hELLO"],
              ["reverse", "abc", "cba"],
              ["3", "xyz", "zyx"],
            ]
          ) assert.equal(await ask(port, op, text), `${reply}\n`, `design ${design}: ${op}`);
          const menu = await runSocklab(clientArgs(port, "--task"), MENU_INPUT, {
            limitMs: 30_000,
          });
          assert.equal(menu.code, 0, menu.stderr);
          assert.deepEqual(results(menu.stdout), MENU_RESULTS, `design ${design}: menu`);
        })
      ),
    );
  },
});

Deno.test({
  name: "socklab's task client is served by the 002 iterative server, one client after another",
  ignore,
  async fn() {
    await withPrintedServer("iterative_server_002.py", undefined, async (port) => {
      // The second client waits in the backlog until the first one leaves.
      const [first, second] = await Promise.all([
        runSocklab(clientArgs(port, "--task"), MENU_INPUT, { limitMs: 30_000 }),
        ask(port, "reverse", "BenchmarkTestString123"),
      ]);
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual(results(first.stdout), MENU_RESULTS);
      assert.equal(second, "321gnirtStseTkramhcneB\n");
    });
  },
});

Deno.test({
  name: "the 004 menu and benchmark clients get socklab task-serve's replies",
  ignore,
  async fn() {
    const server = await startServer([...TASK_SERVE]);
    try {
      const menu = await runPython("task_client_004.py", [String(server.port)], MENU_INPUT)
        .finished;
      assert.equal(menu.code, 0, menu.output);
      assert.deepEqual(results(menu.output), MENU_RESULTS);
      const benchmark = await runPython("benchmark_client_004.py", [String(server.port)]).finished;
      assert.equal(benchmark.code, 0, benchmark.output);
      assert.match(benchmark.output, /^Received: 321gnirtStseTkramhcneB$/m);
    } finally {
      server.kill("SIGINT");
      await server.finished;
    }
  },
});
