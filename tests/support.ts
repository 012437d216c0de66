/**
 * Test support: running `main.ts` as a subprocess (the way users run socklab), waiting for a
 * server's listening line, and collecting output.
 *
 * @module
 */

import { readLines } from "../modes/json_lines.ts";

const MAIN = decodeURIComponent(new URL("../main.ts", import.meta.url).pathname);
const CONFIG = decodeURIComponent(new URL("../deno.json", import.meta.url).pathname);

/** The `deno run` arguments that run `socklab <args>`. */
export function socklabArgs(args: string[]): string[] {
  return ["run", "--quiet", "-A", "--config", CONFIG, MAIN, ...args];
}

/** Runs `socklab <args>` to completion. */
export async function runSocklab(
  args: string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: socklabArgs(args),
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
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
  /** Resolves when it exits, with everything it printed. */
  finished: Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Starts a server (args should include `--host 127.0.0.1 --port 0`) and waits until it listens. */
export async function startServer(args: string[]): Promise<RunningServer> {
  const child = new Deno.Command(Deno.execPath(), {
    args: socklabArgs(args),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
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
    finished,
  };
}

/** The number after `label` in `text`, e.g. `Messages: 15` → 15. */
export function numberAfter(text: string, label: string): number {
  const index = text.indexOf(label);
  if (index < 0) throw new Error(`"${label}" not found in:\n${text}`);
  return Number.parseFloat(text.slice(index + label.length));
}
