/**
 * Test support: running `main.ts` as a subprocess (the way users run socklab), waiting for a
 * server's listening line, and collecting output.
 *
 * @module
 */

import { LineReader, readLines } from "../lib/protocols/line_reader.ts";
import { waitFor } from "./support/wait_for.ts";

const MAIN = decodeURIComponent(new URL("../main.ts", import.meta.url).pathname);
const CONFIG = decodeURIComponent(new URL("../deno.json", import.meta.url).pathname);

/** `socklab task-serve` on a free loopback port; append mode and options. */
export const TASK_SERVE = ["task-serve", "--host", "127.0.0.1", "--port", "0"];

/** `socklab serve` on a free loopback port; append mode and options. */
export const SERVE = ["serve", "--host", "127.0.0.1", "--port", "0"];

/** `socklab client` against a loopback port; append the client's options. */
export function clientArgs(port: number, ...args: string[]): string[] {
  return ["client", "-s", "127.0.0.1", "-P", String(port), ...args];
}

/** The `deno run` arguments that run `socklab <args>`. */
export function socklabArgs(args: string[]): string[] {
  return ["run", "--quiet", "-A", "--config", CONFIG, MAIN, ...args];
}

/** Bounds on a {@link runSocklab} run. */
export interface RunOptions {
  /** Kills it (SIGTERM) after this long, so a hang fails the test instead of stalling it. */
  limitMs?: number;
  /** Called with its PID once it started. */
  onStart?: (pid: number) => void;
}

/** Runs `socklab <args>` to completion. */
export async function runSocklab(
  args: string[],
  stdin?: string,
  { limitMs, onStart }: RunOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: socklabArgs(args),
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    signal: limitMs === undefined ? undefined : AbortSignal.timeout(limitMs),
  }).spawn();
  onStart?.(child.pid);
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** A server started with `socklab <args>`, its output collected. */
export interface RunningServer {
  port: number;
  pid: number;
  kill(signal: Deno.Signal): void;
  /** The first capture group of each output line so far that matches `pattern`. */
  lines(pattern: RegExp): string[];
  /** Waits (up to 10 s) until `pattern` has matched `count` lines of its stdout or stderr. */
  waitFor(pattern: RegExp, count?: number): Promise<void>;
  /** Resolves when it exits, with everything it printed. */
  finished: Promise<{ code: number; stdout: string; stderr: string }>;
}

/**
 * Starts a server (args should include `--host 127.0.0.1 --port 0`) and waits until it
 * listens; `command` replaces the default `deno run main.ts <args>` (an env or a wrapper).
 */
export async function startServer(args: string[], command?: Deno.Command): Promise<RunningServer> {
  const child = (command ?? new Deno.Command(Deno.execPath(), {
    args: socklabArgs(args),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  })).spawn();
  const stdout: string[] = [];
  const stderr: string[] = [];
  let onPort!: (port: number) => void;
  const port = new Promise<number>((resolve) => onPort = resolve);
  const reading = Promise.all([
    readLines(child.stdout, (line) => stdout.push(line)),
    readLines(child.stderr, (line) => {
      stderr.push(line);
      const match = /listening on \S+:(\d+) /.exec(line);
      if (match) onPort(Number(match[1]));
    }),
  ]);
  const finished = child.status.then(async (status) => {
    await reading;
    return { code: status.code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
  });
  const listening = await Promise.race([port, finished]);
  if (typeof listening !== "number") {
    throw new Error(`Server did not start (code ${listening.code}): ${listening.stderr}`);
  }
  return {
    port: listening,
    pid: child.pid,
    kill: (signal) => child.kill(signal),
    lines: (pattern) =>
      [...stdout, ...stderr].flatMap((line) => {
        const match = pattern.exec(line);
        return match ? [match[1]] : [];
      }),
    async waitFor(pattern, count = 1) {
      const seen = () => [...stdout, ...stderr].filter((line) => pattern.test(line)).length;
      await waitFor(() => seen() >= count, {
        what: () =>
          `${count} lines matching ${pattern} in:\n${stdout.join("\n")}\n${stderr.join("\n")}`,
        intervalMs: 20,
      });
    },
    finished,
  };
}

/** The number after `label` in `text`, e.g. `Messages: 15` → 15. */
export function numberAfter(text: string, label: string): number {
  const index = text.indexOf(label);
  if (index < 0) throw new Error(`"${label}" not found in:\n${text}`);
  return Number.parseFloat(text.slice(index + label.length));
}

/** Sends one request line to a task server and returns the reply line (null if closed). */
export async function ask(port: number, line: string, host = "127.0.0.1"): Promise<string | null> {
  const conn = await Deno.connect({ hostname: host, port });
  try {
    await conn.write(new TextEncoder().encode(line + "\n"));
    return await new LineReader(conn).readLine();
  } finally {
    conn.close();
  }
}

/** Reads everything until the peer closes; the connection is closed afterwards. */
export async function readToEnd(conn: Deno.Conn): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(65536);
  try {
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
      text += decoder.decode(buffer.subarray(0, n), { stream: true });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.ConnectionReset)) throw error;
  } finally {
    conn.close();
  }
  return text + decoder.decode();
}
