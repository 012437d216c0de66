/**
 * The task server's client: one request (`--op`) or the reference's interactive menu, on a
 * terminal or from piped standard input. Requests go out as the reference client sends them,
 * `<n>|<text>` in one write without a newline, which the reference servers and socklab's
 * (`--framing auto`) both take as one request; replies may end with a newline or not.
 *
 * @module
 */

import { type Conn, formatHostPort, type IoName } from "../net/transport.ts";
import { transportFor } from "../net/transports.ts";
import { LineReader } from "../protocols/line_reader.ts";
import { TIMESTAMP_GREETING } from "../protocols/timestamp.ts";
import { writeAll } from "../net/write_all.ts";
import { ReplyReader } from "./reply_reader.ts";
import { escapeControl } from "../cli/escape_control.ts";
import {
  ClientFailure,
  closedBefore,
  describeConnectFailure,
  describeFailure,
  type Peer,
} from "./client_failure.ts";

/** The menu numbers of the operations, the form every task server accepts. */
export const OP_NUMBERS = { case: "1", eval: "2", reverse: "3", exit: "4" } as const;

/** A task client's connection settings. */
export interface TaskClientOptions extends Peer {
  io: IoName;
}

const MENU = "\n1. Change case\n2. Evaluate expression\n3. Reverse string\n4. Exit";
const encoder = new TextEncoder();

/** One connection to a task server, one request at a time. */
export class TaskSession {
  #options: TaskClientOptions;
  #conn: Conn;
  #reader: ReplyReader;

  private constructor(options: TaskClientOptions, conn: Conn) {
    this.#options = options;
    this.#conn = conn;
    this.#reader = new ReplyReader(conn);
  }

  /** Connects; a failure is a {@link ClientFailure}. */
  static async open(options: TaskClientOptions): Promise<TaskSession> {
    try {
      const transport = transportFor(options.io);
      return new TaskSession(
        options,
        await transport.connect(options.host, options.port, options.connectTimeoutMs),
      );
    } catch (error) {
      throw new ClientFailure(describeConnectFailure(error, options));
    }
  }

  /** Sends `request` and returns the reply; a failure is a {@link ClientFailure}. */
  async ask(request: string): Promise<string> {
    const awaited = { what: "reply", detail: ` to ${JSON.stringify(request)}` };
    let reply;
    try {
      await this.#conn.write(encoder.encode(request));
      reply = await this.#reader.next(this.#options.timeoutMs);
    } catch (error) {
      throw new ClientFailure(describeFailure(error, this.#options, awaited));
    }
    if (reply === null) throw closedBefore(this.#options, awaited);
    if (reply === TIMESTAMP_GREETING) {
      const where = formatHostPort(this.#options.host, this.#options.port);
      throw new ClientFailure(
        `${where} is a timestamp server (it greeted "${reply}"), not a task server: drop --task to send it timestamps, or point -P at a task server`,
      );
    }
    return reply;
  }

  close(): void {
    this.#conn.close();
  }
}

/** Sends one request and prints its reply; exit code 1 if the reply is an error. */
export async function runTaskOp(
  options: TaskClientOptions,
  op: keyof typeof OP_NUMBERS,
  text: string,
): Promise<number> {
  const session = await TaskSession.open(options);
  try {
    const reply = await session.ask(`${OP_NUMBERS[op]}|${text}`);
    console.log(escapeControl(reply));
    return reply.startsWith("Error:") ? 1 : 0;
  } finally {
    session.close();
  }
}

/** The reference's menu, reading choices and inputs from standard input. */
export async function runTaskMenu(options: TaskClientOptions): Promise<number> {
  const session = await TaskSession.open(options);
  console.log(`Connected to server at ${formatHostPort(options.host, options.port)}`);
  const input = new LineReader(Deno.stdin);
  const prompt = async (text: string) => {
    await writeAll(Deno.stdout, encoder.encode(text));
    return await input.readLine();
  };
  try {
    for (;;) {
      console.log(MENU);
      const choice = (await prompt("Enter choice (1-4): "))?.trim();
      // The reference client leaves without sending: a reference server answers "4|" with
      // "Invalid choice", and closing is all any server needs to hear.
      if (choice === undefined || choice === OP_NUMBERS.exit) {
        if (choice === undefined) console.log("");
        return 0;
      }
      if (!["1", "2", "3"].includes(choice)) {
        console.log(`Invalid choice "${choice}": enter 1, 2, 3 or 4`);
        continue;
      }
      const data = await prompt("Enter input: ");
      if (data === null) return 0;
      console.log(`Result: ${escapeControl(await session.ask(`${choice}|${data}`))}`);
    }
  } finally {
    session.close();
  }
}
