/**
 * socklab: the classic socket-programming labs, run for real and measured properly.
 * The one entry point: a dispatch table of subcommands, `--help`, `--version`, and the one
 * place that exits. Subcommands load lazily, so a `proc` child starts without the bench code.
 *
 * @module
 */

import denoConfig from "./deno.json" with { type: "json" };
import { UsageError } from "./lib/cli/flags.ts";
import { CHILD_COMMAND } from "./lib/cli/self_command.ts";
import { ServerStartError } from "./lib/net/server_start_error.ts";

/** socklab's version, from deno.json (the release workflow sets it from the tag). */
export const VERSION: string = denoConfig.version;

interface Subcommand {
  summary: string;
  run(args: string[]): Promise<number>;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  serve: {
    summary: "timestamp server: connection and data inter-arrival times",
    run: async (args) => (await import("./lib/commands/serve.ts")).serve(args),
  },
  client: {
    summary: "timestamp load client (d/u/e inter-event times) and task client",
    run: async (args) => (await import("./lib/commands/client.ts")).client(args),
  },
  "task-serve": {
    summary: "task server: swap case, safe arithmetic, reverse",
    run: async (args) => (await import("./lib/commands/task_serve.ts")).taskServe(args),
  },
  bench: {
    summary: "benchmarks: sweep (clients x modes) and scale (up to C10K), with reports",
    run: async (args) => (await import("./lib/commands/bench.ts")).bench(args),
  },
  demo: {
    summary: "a short loopback demo: a server and a 3-worker client",
    run: async (args) => (await import("./lib/commands/demo.ts")).demo(args),
  },
};

const HIDDEN: Record<string, Subcommand["run"]> = {
  [CHILD_COMMAND]: async (args) => {
    await (await import("./modes/_proc_child.ts")).runChild(args[0]);
    return 0;
  },
};

const HELP = `socklab ${VERSION}: socket-programming labs, run for real and measured properly

Usage: socklab <command> [options]

Commands:
${Object.entries(SUBCOMMANDS).map(([name, c]) => `  ${name.padEnd(11)} ${c.summary}`).join("\n")}

Options:
  -h, --help      show this help (and "socklab <command> --help" for a command's)
  -V, --version   print the version

Try: socklab demo`;

function die(message: string, code: number): never {
  console.error(`socklab: ${message}`);
  Deno.exit(code);
}

async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  // `socklab help serve` is `socklab serve --help`.
  if (name === "help" && rest.length > 0) return await main([rest[0], "--help"]);
  // A bare `socklab` is a mistake, however helpful the usage it gets: scripts see exit 2.
  if (name === undefined) {
    console.error(HELP);
    return 2;
  }
  if (name === "-h" || name === "--help" || name === "help") {
    console.log(HELP);
    return 0;
  }
  if (name === "-V" || name === "--version") {
    console.log(`socklab ${VERSION}`);
    return 0;
  }
  if (rest.includes("--version") || rest.includes("-V")) {
    console.log(`socklab ${VERSION}`);
    return 0;
  }
  const hidden = HIDDEN[name];
  if (hidden) return await hidden(rest);
  const subcommand = SUBCOMMANDS[name];
  if (!subcommand) {
    throw new UsageError(
      `Unknown command "${name}": expected one of ${Object.keys(SUBCOMMANDS).join(", ")}`,
    );
  }
  return await subcommand.run(rest);
}

/** What a shell reports for a program stopped by SIGPIPE, as `cat | head` stops. */
const CLOSED_PIPE_CODE = 128 + 13;

/**
 * Makes `console.log` end the run quietly once standard output is closed, as `cat` stops:
 * Deno's own drops the write's error and goes on, so `socklab serve -v | head -3` would
 * serve on, printing into nothing.
 */
function stopAtClosedStdout(): void {
  const encoder = new TextEncoder();
  console.log = (...data: unknown[]) => {
    const text = data.map((item) => typeof item === "string" ? item : Deno.inspect(item)).join(" ");
    const bytes = encoder.encode(text + "\n");
    try {
      for (let written = 0; written < bytes.length;) {
        written += Deno.stdout.writeSync(bytes.subarray(written));
      }
    } catch (error) {
      if (error instanceof Deno.errors.BrokenPipe) Deno.exit(CLOSED_PIPE_CODE);
      throw error;
    }
  };
}

if (import.meta.main) {
  // Output into a closed pipe (`socklab … | head -3`) ends the run quietly, wherever the write
  // was: the reader has all it wanted.
  stopAtClosedStdout();
  const quitOnClosedPipe = (event: PromiseRejectionEvent | ErrorEvent) => {
    const error = "reason" in event ? event.reason : event.error;
    if (error instanceof Deno.errors.BrokenPipe) Deno.exit(CLOSED_PIPE_CODE);
  };
  globalThis.addEventListener("unhandledrejection", quitOnClosedPipe);
  globalThis.addEventListener("error", quitOnClosedPipe);
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    if (error instanceof Deno.errors.BrokenPipe) Deno.exit(CLOSED_PIPE_CODE);
    if (error instanceof UsageError) die(error.message, 2);
    if (error instanceof ServerStartError) die(error.message, 1);
    die(error instanceof Error ? error.stack ?? error.message : String(error), 1);
  }
}
