/**
 * A Web Worker of the timestamp client, running many logical workers, each with its own
 * connection. The Web Workers meet on the {@link StartBarrier} before any connects, so that
 * none counts another's start-up; then each logical worker connects, reads the greeting and
 * sends its first event one draw after it, as a reference client's thread does (so the
 * server's first data gap on the connection is one draw), and the others at absolute times
 * (its greeting + the running sum of the drawn intervals), so timer lateness never accumulates.
 * A worker kept waiting by an iterative server starts at its greeting, without a burst.
 *
 * One timer serves every logical worker here ({@link DueQueue}): it fires all events that are
 * due in one pass, writing without waiting between them, and closes the connections that are
 * done only after the pass, so a thousand workers due at the same moment are not held back
 * by each other's timers, awaits and closes.
 *
 * @module
 */

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import { type Distribution, drawSeconds } from "../stats/distribution.ts";
import { createRng, type Rng, workerSeed } from "../stats/rng.ts";
import { epochNow } from "../stats/epoch_now.ts";
import { timestampLine } from "../protocols/timestamp.ts";
import type { Conn, IoName } from "../net/transport.ts";
import { transportFor } from "../net/transports.ts";
import { ReplyReader } from "./reply_reader.ts";
import { StartBarrier } from "./start_barrier.ts";
import { DueQueue } from "./due_queue.ts";
import { createLatencyHistogram, encodeHistogram, recordMs } from "../stats/histogram.ts";
import {
  type Awaited,
  closedBefore,
  describeConnectFailure,
  describeEndedEarly,
  describeFailure,
  type Peer,
} from "./client_failure.ts";

/** What the parent tells a Web Worker. */
export interface ClientWorkerStart extends Peer {
  /** The numbers of the logical workers this Web Worker runs. */
  workers: number[];
  events: number;
  dist: Distribution;
  seed: number;
  verbose: boolean;
  io: IoName;
  /** The {@link StartBarrier} shared by every Web Worker of the run. */
  barrier: SharedArrayBuffer;
  /** How many Web Workers meet on it. */
  threads: number;
  /**
   * Events written so far by each logical worker (Int32, at its number - 1), shared with the
   * parent, which reads them when it is interrupted and ends the Web Workers at once.
   */
  sent: SharedArrayBuffer;
}

/**
 * What a Web Worker reports: log lines and each logical worker's result as they come, then
 * done, with how late its events went out against their due times (an encoded histogram).
 */
export type ClientWorkerMessage =
  | { type: "log"; lines: string[] }
  | { type: "result"; result: ClientWorkerResult }
  | { type: "done"; lateness: string };

/** One logical worker's outcome. */
export interface ClientWorkerResult {
  worker: number;
  sent: number;
  /** Milliseconds from the meeting to its greeting (or its failure to get one). */
  greetedMs: number;
  /** Milliseconds from its greeting to its last event. */
  activeMs: number;
  /** Milliseconds between consecutive sends, the first measured from its greeting. */
  sumIntervalsMs: number;
  error?: string;
  /** Stopped by an interrupt of the client, not by a failure; `sent` is what went out. */
  interrupted?: boolean;
}

/** Events due this close to now fire with the rest of their pass, not one timer later. */
const SLACK_MS = 1;

const encoder = new TextEncoder();
const GREETING: Awaited = {
  what: "greeting",
  ifSilent:
    ": not a timestamp server (a task server sends none), or an iterative one busy with other clients (raise --timeout)",
};

function post(message: ClientWorkerMessage): void {
  self.postMessage(message);
}

let logLines: string[] = [];

/** Queues a log line; the lines of one pass go to the parent in one message. */
function log(line: string): void {
  if (logLines.length === 0) {
    queueMicrotask(() => {
      post({ type: "log", lines: logLines });
      logLines = [];
    });
  }
  logLines.push(line);
}

/** One logical worker from its greeting to its last event. */
interface Sender {
  result: ClientWorkerResult;
  conn: Conn;
  rng: Rng;
  /** Events written so far. */
  event: number;
  t0: number;
  due: number;
  last: number;
  /** The writes so far, one after another; never rejects. */
  writing: Promise<void>;
  /** How the server ended the connection, or how a write failed. */
  failure?: { error: unknown };
  done: boolean;
  finished(result: ClientWorkerResult): void;
}

/** Connects and waits for the greeting. */
async function greet(
  start: ClientWorkerStart,
  worker: number,
): Promise<{ conn: Conn; reader: ReplyReader } | { error: string }> {
  let conn: Conn;
  try {
    conn = await transportFor(start.io).connect(start.host, start.port, start.connectTimeoutMs);
  } catch (error) {
    return { error: describeConnectFailure(error, start) };
  }
  const reader = new ReplyReader(conn);
  try {
    // As the read gives it: a reference thread's first draw starts at its `recv(1024)`.
    const greeting = await reader.next(start.timeoutMs, 0);
    if (greeting === null) throw closedBefore(start, GREETING);
    if (start.verbose) log(`[Worker ${worker}] Connected. Server says: ${greeting}`);
    return { conn, reader };
  } catch (error) {
    conn.close();
    return { error: describeFailure(error, start, GREETING) };
  }
}

/**
 * Resolves when the server ends the connection: with null for a clean close, else with the
 * error. A timestamp server sends nothing after the greeting, so anything it does send is read
 * and dropped.
 */
async function serverEnd(reader: ReplyReader): Promise<{ error: unknown }> {
  try {
    while (await reader.next() !== null) { /* dropped */ }
    return { error: null };
  } catch (error) {
    return { error };
  }
}

/** Runs the logical workers of one Web Worker. */
class Run {
  #start: ClientWorkerStart;
  #barrier: StartBarrier;
  #sent: Int32Array;
  #queue = new DueQueue<Sender>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armedFor = Infinity;
  /** How late each event went out, against its due time. */
  readonly lateness = createLatencyHistogram();

  constructor(start: ClientWorkerStart) {
    this.#start = start;
    this.#barrier = new StartBarrier(start.barrier);
    this.#sent = new Int32Array(start.sent);
  }

  /** Every logical worker's result, each posted as it finishes. */
  async all(): Promise<void> {
    await this.#barrier.arrive(this.#start.threads);
    const met = epochNow();
    await Promise.all(this.#start.workers.map(async (worker) => {
      post({ type: "result", result: await this.#worker(worker, met) });
    }));
  }

  async #worker(worker: number, met: number): Promise<ClientWorkerResult> {
    const result: ClientWorkerResult = {
      worker,
      sent: 0,
      greetedMs: 0,
      activeMs: 0,
      sumIntervalsMs: 0,
    };
    const greeted = await greet(this.#start, worker);
    const t0 = epochNow();
    result.greetedMs = t0 - met;
    if ("error" in greeted) return { ...result, error: greeted.error };
    return await new Promise((finished) => {
      const rng = createRng(workerSeed(this.#start.seed, worker));
      const sender: Sender = {
        result,
        conn: greeted.conn,
        rng,
        event: 0,
        t0,
        due: t0 + drawSeconds(this.#start.dist, rng) * 1000,
        last: t0,
        writing: Promise.resolve(),
        done: false,
        finished,
      };
      serverEnd(greeted.reader).then((end) => {
        if (sender.done) return;
        sender.failure ??= end;
        this.#finish(sender);
      });
      this.#schedule(sender);
    });
  }

  #schedule(sender: Sender): void {
    this.#queue.push(sender.due, sender.result.worker, sender);
    this.#arm();
  }

  #arm(): void {
    const due = this.#queue.peek();
    if (due === undefined || due >= this.#armedFor) return;
    clearTimeout(this.#timer);
    this.#armedFor = due;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, due - epochNow()));
  }

  /** Sends every event that is due, then closes the connections that are done. */
  #fire(): void {
    this.#armedFor = Infinity;
    const until = epochNow() + SLACK_MS;
    const done: Sender[] = [];
    while ((this.#queue.peek() ?? Infinity) <= until) {
      const sender = this.#queue.pop()!;
      if (sender.done) continue;
      if (this.#send(sender)) this.#queue.push(sender.due, sender.result.worker, sender);
      else done.push(sender);
    }
    for (const sender of done) this.#finish(sender);
    this.#arm();
  }

  /** Writes the sender's next event; whether it has more to send. */
  #send(sender: Sender): boolean {
    const { result, conn } = sender;
    if (sender.failure) return false;
    const line = timestampLine(result.worker, ++sender.event, Date.now());
    const now = epochNow();
    recordMs(this.lateness, Math.max(0, now - sender.due));
    result.sumIntervalsMs += now - sender.last;
    sender.last = now;
    const bytes = encoder.encode(line + "\n");
    sender.writing = sender.writing
      .then(() => sender.failure ? undefined : conn.write(bytes).then(() => this.#count(result)))
      .catch((error) => void (sender.failure ??= { error }));
    if (this.#start.verbose) log(`[Worker ${result.worker}] Sending: ${line}`);
    if (sender.event >= this.#start.events) return false;
    sender.due += drawSeconds(this.#start.dist, sender.rng) * 1000;
    return true;
  }

  #count(result: ClientWorkerResult): void {
    Atomics.store(this.#sent, result.worker - 1, ++result.sent);
  }

  async #finish(sender: Sender): Promise<void> {
    sender.done = true;
    await sender.writing;
    const { result } = sender;
    result.activeMs = sender.last - sender.t0;
    if (sender.failure) {
      result.error = describeEndedEarly(
        sender.failure.error,
        this.#start,
        result.sent,
        this.#start.events,
      );
    } else if (this.#start.verbose) {
      log(`[Worker ${result.worker}] Task completed and connection closed.`);
    }
    sender.conn.close();
    sender.finished(result);
  }
}

self.onmessage = async (event: MessageEvent<ClientWorkerStart>) => {
  const run = new Run(event.data);
  await run.all();
  post({ type: "done", lateness: encodeHistogram(run.lateness) });
};
