/**
 * `socklab task-serve`: the task server of the second lab. Answers `<op>|<payload>` requests
 * (swap case, evaluate arithmetic with socklab's own parser, reverse, exit), optionally after
 * `--delay`, and at the end prints the per-connection log and totals.
 *
 * @module
 */

import { modeHelp } from "../../modes/mod.ts";
import { durationFlag } from "../cli/flags.ts";
import { parseServerArgs, runServer, serverOptions, serverOptionsHelp } from "./server_command.ts";

/** The task server's default port. */
export const TASK_DEFAULT_PORT = 65432;

/** `task-serve --help`. */
export const TASK_SERVE_HELP = `socklab task-serve: task server (swap case, evaluate, reverse)

Usage: socklab task-serve [options]

Requests are "<op>|<payload>", one per line (or one per write, see --framing):
  1 or case      swap upper and lower case         1|Hello   -> hELLO
  2 or eval      evaluate arithmetic, Python rules 2|7/2     -> 3.5
  3 or reverse   reverse the text                  3|abc     -> cba
  4 or exit      reply Goodbye! and close
A request without "|" is reversed. Errors are answered "Error: <reason>".
Expressions are parsed, never executed: + - * / // % ** and parentheses only.

Options:${
  serverOptionsHelp({
    defaultPort: TASK_DEFAULT_PORT,
    modeLines: modeHelp("                             "),
    csv: "write each connection's opening and each request's arrival as CSV",
    extra: `  --delay DUR              hold every reply this long, e.g. 3s (default 0); blocks
                           other clients only in iter mode`,
  })
}

At shutdown it prints one line per connection:
  <ip>:<port> requests=<n> bytes_in=<n> bytes_out=<n> duration_ms=<x>
and the totals.

Examples:
  socklab task-serve --mode thr --workers 0 --verbose
  socklab task-serve --mode iter --delay 3s

Exit codes: 0 stopped normally, 1 runtime failure (port in use, a --csv or --html write
that failed: the report is still printed), 2 usage error (an output path that cannot be
written is one, found before the server listens), 130 forced to quit by a second Ctrl-C.`;

/** Runs `task-serve` with its arguments; returns the exit code. */
export async function taskServe(args: string[]): Promise<number> {
  const values = parseServerArgs(args, { delay: { type: "string" } });
  if (values === undefined) {
    console.log(TASK_SERVE_HELP);
    return 0;
  }
  const delayMs = durationFlag(values, "delay", 0)!;
  return await runServer(
    "task-serve",
    serverOptions(values, "task", TASK_DEFAULT_PORT, delayMs),
    "connection-log",
  );
}
