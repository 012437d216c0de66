/**
 * `socklab serve`: the timestamp server of the first lab. Greets each client, records the
 * time between connection setups (server-wide) and between messages (per connection), and at
 * the end prints the two averages of the reference followed by their distribution.
 *
 * @module
 */

import { modeHelp } from "../../modes/mod.ts";
import { parseServerArgs, runServer, serverOptions, serverOptionsHelp } from "./server_command.ts";

/** The timestamp server's default port. */
export const SERVE_DEFAULT_PORT = 55000;

/** `serve --help`. */
export const SERVE_HELP =
  `socklab serve: timestamp server recording connection and data inter-arrival times

Usage: socklab serve [options]

Greets every client with "Hello! You are connected to the server.", receives lines
"Worker <w>, Event <e>, Timestamp <unix-ms>", and on Ctrl-C (or --duration,
--max-connections) prints the average connection and data inter-arrival times with
count, min, median, p95, p99 and max.

Options:${
    serverOptionsHelp({
      defaultPort: SERVE_DEFAULT_PORT,
      modeLines: modeHelp("                             "),
      csv: "write every connection and data inter-arrival as CSV",
    })
  }

Examples:
  socklab serve --port 55000 --mode thr --verbose
  socklab serve --host 127.0.0.1 --port 0 --mode proc --workers 0 --duration 30s --csv samples.csv

Exit codes: 0 stopped normally, 1 runtime failure (port in use, a --csv or --html write
that failed: the report is still printed), 2 usage error (an output path that cannot be
written is one, found before the server listens), 130 forced to quit by a second Ctrl-C.`;

/** Runs `serve` with its arguments; returns the exit code. */
export async function serve(args: string[]): Promise<number> {
  const values = parseServerArgs(args, {});
  if (values === undefined) {
    console.log(SERVE_HELP);
    return 0;
  }
  return await runServer(
    "serve",
    serverOptions(values, "timestamp", SERVE_DEFAULT_PORT, 0),
    "inter-arrival",
  );
}
