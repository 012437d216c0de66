/**
 * What `serve` and `task-serve` share: their flags, the argv → {@link ServerCommandOptions}
 * parser, and the run loop that starts the chosen mode, prints the live log, streams `--csv`,
 * prints the report so far on SIGUSR1, stops on SIGINT/SIGTERM/SIGHUP/SIGUSR2/SIGALRM,
 * `--duration` or `--max-connections`, and prints the report.
 *
 * @module
 */

import {
  choiceFlag,
  durationFlag,
  type FlagSpec,
  type FlagValues,
  hostFlag,
  intFlag,
  parseFlags,
  sizeFlag,
} from "../cli/flags.ts";
import { IO_NAMES } from "../net/transport.ts";
import { FRAMINGS } from "../protocols/framing.ts";
import type { ProtocolName } from "../protocols/protocol.ts";
import {
  formatHeading,
  formatInterArrival,
  formatTotals,
  ServerTally,
  summaryJson,
} from "../reports/server_report.ts";
import { SampleFile } from "./sample_file.ts";
import { checkOutputFile, osReason } from "../cli/output_file.ts";
import type { ServerEvent, ServerSpec } from "../server/server_spec.ts";
import { ConnectionLog } from "../reports/connection_log.ts";
import { epochNow } from "../stats/epoch_now.ts";
import { escapeControl } from "../cli/escape_control.ts";
import { MODE_NAMES, type ModeName, MODES } from "../../modes/mod.ts";

/** The flags both servers take. */
export const SERVER_FLAGS: Record<string, FlagSpec> = {
  host: { type: "string" },
  port: { type: "string", short: "p" },
  mode: { type: "string", short: "m" },
  "concurrency-mode": { type: "string" },
  workers: { type: "string", short: "w" },
  verbose: { type: "boolean", short: "v" },
  framing: { type: "string" },
  "max-line": { type: "string" },
  "idle-timeout": { type: "string" },
  "request-timeout": { type: "string" },
  "first-byte-timeout": { type: "string" },
  io: { type: "string" },
  "max-conns": { type: "string" },
  "over-limit": { type: "string" },
  duration: { type: "string" },
  "max-connections": { type: "string" },
  drain: { type: "string" },
  csv: { type: "string" },
  "csv-max": { type: "string" },
  json: { type: "boolean" },
  html: { type: "string" },
};

/** The options help text both servers print. */
export const SERVER_OPTIONS_HELP = `
  --host HOST              address to listen on (default 0.0.0.0; :: for IPv6)
  -p, --port PORT          TCP port, 0 picks a free one (default PORT_DEFAULT)
  -m, --mode MODE          concurrency mode (alias --concurrency-mode; default async):
MODES
  -w, --workers N          pool size for thr and proc (default: CPU count);
                           0 = one Web Worker or process per connection. A pool
                           shares the port with reusePort on Linux; elsewhere (or
                           with SOCKLAB_SHARED_PORT=proxy) its members listen on
                           loopback ports and the server relays each connection
  -v, --verbose            print every message and each connection opening and closing
  --framing F              line (a newline ends a message), chunk (each read is one)
                           or auto (default): newlines, and until a connection's first
                           newline, each unterminated read of 2 bytes to 1 KiB, as
                           recv(1024) takes the reference clients' messages
  --max-line SIZE          longest message, e.g. 64KiB (default 64KiB)
  --io API                 socket API: deno (Deno.listen) or node (node:net); default:
                           the mode's (see BENCHMARKS.md)
  --idle-timeout DUR       close connections silent this long (default 5m; 0 = never)
  --request-timeout DUR    close a connection whose started line is not complete this
                           long after its first byte, however slowly bytes trickle in
                           (default 30s; 0 = never)
  --first-byte-timeout DUR close a connection that sends no byte this long after it
                           opened, so silent peers cannot hold slots for --idle-timeout
                           (default 60s; 0 = only --idle-timeout)
  --max-conns N            most connections open at once, per accepting thread or
                           process (default 0: as many as the open-file limit allows)
  --over-limit WHAT        beyond --max-conns: wait (leave them in the listen backlog)
                           or refuse (answer "Error: server busy" and close); default wait
  --duration DUR           stop by itself after this long, e.g. 10s
  --max-connections N      stop accepting after N connections, end when they close
  --drain DUR              on stop, how long open connections may finish (default 5s)
  --csv FILE               CSV_HELP
  --csv-max SIZE           stop writing data rows to --csv past this size; the
                           report says how many were left out (default 100MiB; 0 = no cap)
  --json                   print the summary as JSON on stdout
  --html FILE              write the report as a web page (histograms, sortable tables)
EXTRA  -h, --help               show this help`;

/**
 * The default `--csv-max`: two million data rows of about 50 bytes, more than a lab run
 * records, while a peer's flood of newlines cannot fill the disk.
 */
export const DEFAULT_CSV_MAX = 100 * 2 ** 20;

/**
 * The default `--first-byte-timeout`: nginx's `client_header_timeout`. A reference client
 * sends its first event one drawn interval after the greeting, so this must exceed any
 * interval a lab run draws (an exponential draw of mean 2 s exceeds 60 s with probability
 * e^-30); a tighter value frees per-connection slots sooner at the cost of slow clients.
 */
export const DEFAULT_FIRST_BYTE_MS = 60_000;

/** A server command's typed options. */
export interface ServerCommandOptions {
  mode: ModeName;
  spec: ServerSpec;
  durationMs?: number;
  csv?: string;
  /** Bytes of `--csv` data rows past which samples are only counted; 0: no cap. */
  csvMax: number;
  json: boolean;
  html?: string;
}

/** What a server command puts into the shared options help. */
export interface ServerHelpParts {
  defaultPort: number;
  modeLines: string;
  /** What `--csv` holds, in the command's words. */
  csv: string;
  /** The command's own option lines, listed before `--help`. */
  extra?: string;
}

/** Help-text options with the command's default port, mode list and own options filled in. */
export function serverOptionsHelp(parts: ServerHelpParts): string {
  return SERVER_OPTIONS_HELP.replace("PORT_DEFAULT", String(parts.defaultPort))
    .replace("MODES", parts.modeLines)
    .replace("CSV_HELP", parts.csv)
    .replace("EXTRA", parts.extra ? `${parts.extra}\n` : "");
}

/** Turns parsed flag values into typed server options. */
export function serverOptions(
  values: FlagValues,
  protocol: ProtocolName,
  defaultPort: number,
  delayMs: number,
): ServerCommandOptions {
  const modeFlag = values.mode !== undefined ? "mode" : "concurrency-mode";
  const mode = choiceFlag(values, modeFlag, "async", MODE_NAMES);
  const idleTimeoutMs = durationFlag(values, "idle-timeout", 300_000)!;
  const requestTimeoutMs = durationFlag(values, "request-timeout", 30_000)!;
  const firstByteTimeoutMs = durationFlag(values, "first-byte-timeout", DEFAULT_FIRST_BYTE_MS)!;
  const workers = intFlag(values, "workers", navigator.hardwareConcurrency, 0, 1024);
  return {
    mode,
    spec: {
      host: hostFlag(values, "host", "0.0.0.0"),
      port: intFlag(values, "port", defaultPort, 0, 65535),
      io: choiceFlag(values, "io", MODES[mode].defaultIo(workers), IO_NAMES),
      workers,
      protocol: { name: protocol, delayMs },
      framing: choiceFlag(values, "framing", "auto", FRAMINGS),
      maxLine: sizeFlag(values, "max-line", 64 * 1024, 1, 64 * 1024 * 1024),
      verbose: values.verbose === true,
      idleTimeoutMs,
      requestTimeoutMs,
      firstByteTimeoutMs,
      drainMs: durationFlag(values, "drain", 5000)!,
      maxConnections: intFlag(values, "max-connections", 0, 0),
      maxConns: intFlag(values, "max-conns", 0, 0),
      overLimit: choiceFlag(values, "over-limit", "wait", ["wait", "refuse"] as const),
      samples: typeof values.csv === "string",
    },
    durationMs: durationFlag(values, "duration", undefined),
    csv: typeof values.csv === "string" ? values.csv : undefined,
    csvMax: sizeFlag(values, "csv-max", DEFAULT_CSV_MAX, 0, Number.MAX_SAFE_INTEGER),
    json: values.json === true,
    html: typeof values.html === "string" ? values.html : undefined,
  };
}

/** Parses a server command line; `undefined` means `--help` was asked for. */
export function parseServerArgs(
  args: string[],
  extraFlags: Record<string, FlagSpec>,
): FlagValues | undefined {
  const { values } = parseFlags(args, { ...SERVER_FLAGS, ...extraFlags });
  return values.help ? undefined : values;
}

/** Which report sections a server prints after its totals. */
export type ServerReportKind = "inter-arrival" | "connection-log";

/** After a second stop signal, how long the open connections' records may take to come in. */
const HURRY_MS = 2000;

/**
 * The signals that stop a server (drain, then report): Ctrl-C, `kill`, a closed terminal or
 * SSH session, and SIGUSR2 and SIGALRM, whose default action would end the process without a
 * report (in some modes and not others, as their runtimes happened to install handlers).
 */
const STOP_SIGNALS: Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT", "SIGBREAK"]
  : ["SIGINT", "SIGTERM", "SIGHUP", "SIGUSR2", "SIGALRM"];

/** The signal that prints the report so far and lets the server go on, as `dd` does. */
const REPORT_SIGNAL: Deno.Signal | undefined = Deno.build.os === "windows" ? undefined : "SIGUSR1";

/**
 * Runs a server until it stops and prints its report; returns the exit code. A second stop
 * signal closes the open connections at once and quits with the report of everything counted
 * (code 130); a third, or a mode that does not end within {@link HURRY_MS}, quits with what
 * has arrived. A report file that cannot be written makes the code 1.
 */
export async function runServer(
  command: string,
  options: ServerCommandOptions,
  report: ServerReportKind,
): Promise<number> {
  const { spec } = options;
  const mode = MODES[options.mode];
  const stop = new AbortController();
  const tally = new ServerTally();
  const connectionLog = report === "connection-log" ? new ConnectionLog() : undefined;
  let opened = 0;
  let aborted = 0;
  let shed = 0;
  let unserved = 0;
  let warnings = 0;
  const startedAt = epochNow();
  // With --json, stdout carries the JSON alone and the live log goes to stderr.
  const log = options.json ? console.error : console.log;
  const warn = (message: string) => {
    warnings++;
    console.error(`warning: ${escapeControl(message)}`);
  };
  // Every output path is proved writable before the server listens.
  if (options.html !== undefined) await checkOutputFile("html", options.html);
  const csv = options.csv === undefined
    ? undefined
    : SampleFile.open(options.csv, options.csvMax, warn);

  const onEvent = (event: ServerEvent) => {
    switch (event.type) {
      case "listening":
        console.error(
          `socklab ${command}: listening on ${event.hostname}:${event.port} (${options.mode}, ${
            mode.layout(spec.workers)
          }, io ${spec.io}); stop with Ctrl-C`,
        );
        return;
      case "aborted":
        aborted++;
        return;
      case "shed":
        shed += event.count;
        return;
      case "unserved":
        unserved += event.count;
        return;
      case "open":
        opened++;
        tally.open(event.at);
        if (spec.verbose) log(`[x] New connection from ${event.peer} (${event.worker})`);
        return;
      case "close":
        tally.add(event.record);
        csv?.connection(event.record);
        connectionLog?.add(event.record);
        if (spec.verbose) log(`[x] Connection closed for ${event.record.peer}`);
        return;
      case "samples":
        csv?.data(event.rows);
        return;
      case "log":
        // A peer's message, as the protocol quotes it: its bytes must not drive the terminal.
        log(escapeControl(event.line));
        return;
      case "warning":
        warn(event.message);
        return;
      case "status":
        console.error(`socklab ${command}: ${event.message}`);
    }
  };

  let signals = 0;
  let forceExit!: () => void;
  const forced = new Promise<"forced">((resolve) => forceExit = () => resolve("forced"));
  const hurry = new AbortController();
  let hurryTimer: ReturnType<typeof setTimeout> | undefined;
  const onSignal = () => {
    signals++;
    if (signals === 1) {
      console.error(
        `socklab ${command}: stopping; draining open connections for up to ${
          spec.drainMs / 1000
        } s (press Ctrl-C again to quit now)`,
      );
      stop.abort();
    } else if (signals === 2) {
      // Close the open connections now, so that what they counted is reported; a mode that
      // cannot say so in time (a stuck child) is left behind, and a third signal waits for
      // nothing.
      console.error(`socklab ${command}: closing the open connections and quitting`);
      hurry.abort();
      hurryTimer = setTimeout(forceExit, HURRY_MS);
    } else {
      forceExit();
    }
  };
  const summarize = (incomplete: boolean) =>
    tally.summary({
      mode: options.mode,
      layout: mode.layout(spec.workers),
      startedAt,
      stoppedAt: epochNow(),
      opened,
      aborted,
      shed,
      unserved,
      warnings,
      incomplete,
    });
  // On stderr, so that stdout still carries one report (or the JSON alone).
  const reportSoFar = () => {
    const summary = summarize(false);
    console.error(
      [
        `socklab ${command}: report so far (${REPORT_SIGNAL}; the server goes on), connections still open not included:`,
        ...(report === "inter-arrival" ? [formatInterArrival(summary)] : []),
        formatTotals(summary),
      ].join("\n"),
    );
  };
  for (const signal of STOP_SIGNALS) Deno.addSignalListener(signal, onSignal);
  if (REPORT_SIGNAL) Deno.addSignalListener(REPORT_SIGNAL, reportSoFar);
  const timer = options.durationMs === undefined
    ? undefined
    : setTimeout(() => stop.abort(), options.durationMs);
  let outcome: void | "forced";
  try {
    outcome = await Promise.race([
      mode.run({ ...spec, onEvent, hurry: hurry.signal }, stop.signal),
      forced,
    ]);
  } finally {
    clearTimeout(timer);
    clearTimeout(hurryTimer);
    for (const signal of STOP_SIGNALS) Deno.removeSignalListener(signal, onSignal);
    if (REPORT_SIGNAL) Deno.removeSignalListener(REPORT_SIGNAL, reportSoFar);
    csv?.close();
  }

  const incomplete = outcome === "forced";
  if (incomplete) {
    console.error(`socklab ${command}: forced to quit; the report is incomplete`);
  }
  // Quit early, by a second signal: the report is whole, the exit code still says so.
  const quitEarly = signals >= 2;
  const summary = summarize(incomplete);
  if (options.json) {
    console.log(summaryJson(summary));
  } else {
    console.log(formatHeading(summary));
    if (report === "inter-arrival") console.log(formatInterArrival(summary));
    else if (connectionLog && connectionLog.size > 0) console.log(connectionLog.format());
    console.log(formatTotals(summary));
  }
  let written = !csv?.failed;
  if (csv && csv.dropped > 0) {
    (options.json ? console.error : console.log)(
      `CSV: capped at ${options.csvMax} bytes of data rows (--csv-max): ${csv.dropped} samples not written to "${options.csv}"`,
    );
  }
  if (options.html !== undefined) {
    // The printed report is already out: a failed page costs only itself, and the exit code.
    // Loaded here: the chart libraries took about 90 ms of the 230 a server took to listen.
    const { serverHtml } = await import("../reports/server_html.ts");
    await Deno.writeTextFile(options.html, await serverHtml(summary, command)).catch((error) => {
      written = false;
      console.error(
        `socklab ${command}: Cannot write --html "${options.html}" (${
          osReason(error)
        }); the report above is all there is`,
      );
    });
  }
  return quitEarly ? 130 : written ? 0 : 1;
}
