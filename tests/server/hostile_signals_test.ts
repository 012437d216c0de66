/**
 * Hostile conditions, item 5 of issue 9: signals. SIGHUP (a closed terminal or SSH session,
 * which signals every process of the foreground group: the server and its children) must
 * stop `serve` with its report like SIGINT, in every variant; and a second SIGINT while
 * draining quits at once, still prints what the server knows, and leaves no process behind.
 * Issue 28, item 9: SIGUSR1 prints the report so far and the server goes on (as `dd` does),
 * and SIGUSR2 and SIGALRM stop it with its report, in every variant.
 *
 * @module
 */

import assert from "node:assert/strict";
import { LineReader } from "../../lib/protocols/line_reader.ts";
import { TIMESTAMP_GREETING, timestampLine } from "../../lib/protocols/timestamp.ts";
import { writeAll } from "../../lib/net/write_all.ts";
import { numberAfter, SERVE } from "../support.ts";
import { stopWithin, tail, withServer } from "../support/server_guard.ts";
import { signalTree } from "../support/process_tree.ts";
import { inEachVariant, VARIANTS } from "../support/variants.ts";

const HOST = "127.0.0.1";
const encoder = new TextEncoder();

/** Connects, waits for the greeting and sends `events` timestamp lines; returns the peer. */
async function sendEvents(port: number, events: number): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: HOST, port });
  const timer = setTimeout(() => conn.close(), 10_000);
  assert.equal(await new LineReader(conn).readLine(), TIMESTAMP_GREETING);
  clearTimeout(timer);
  for (let event = 1; event <= events; event++) {
    await writeAll(conn, encoder.encode(timestampLine(1, event, Date.now()) + "\n"));
  }
  return conn;
}

const peerOf = (conn: Deno.TcpConn) => `${HOST}:${conn.localAddr.port}`;

Deno.test("serve: SIGHUP stops the server with its summary, draining as SIGINT does", async (t) => {
  await inEachVariant(
    t,
    VARIANTS,
    (variant) =>
      withServer([...SERVE, "--verbose", ...variant.args], async (server) => {
        const done = await sendEvents(server.port, 3);
        done.close();
        await server.waitFor(new RegExp(`^\\[x\\] Connection closed for ${peerOf(done)}$`));
        // Open at the hang-up, and closed by its client while the server drains.
        const open = await sendEvents(server.port, 2);
        await server.waitFor(new RegExp(`^Sentence ".*" received from ${peerOf(open)}$`), 2);
        const stopping = stopWithin(server, "SIGHUP", 10_000, { wholeTree: true });
        await Promise.race([server.waitFor(/stopping; draining open connections/), server.finished])
          .finally(() => open.close());
        const { code, stdout, stderr } = await stopping;
        assert.equal(code, 0, `exit code ${code}; stderr:\n${tail(stderr)}`);
        assert.match(stdout, /^Average data inter-arrival time: /m);
        assert.equal(numberAfter(stdout, "Messages: "), 5);
        assert.match(stdout, /Connections: 2 opened, 2 closed \(2 client\)/);
      }),
  );
});

Deno.test("serve: a second SIGINT while draining quits at once, prints what is known, leaves nothing", async (t) => {
  await inEachVariant(
    t,
    VARIANTS,
    (variant) =>
      withServer([...SERVE, "--verbose", "--drain", "30s", ...variant.args], async (server) => {
        const done = await sendEvents(server.port, 3);
        done.close();
        await server.waitFor(new RegExp(`^\\[x\\] Connection closed for ${peerOf(done)}$`));
        // Still open when the server is forced to quit: what it sent may or may not be known.
        const open = await sendEvents(server.port, 2);
        await server.waitFor(new RegExp(`^Sentence ".*" received from ${peerOf(open)}$`), 2);
        server.kill("SIGINT");
        await server.waitFor(/stopping; draining open connections/);
        // Half the 30 s drain the second SIGINT cuts short leaves a busy machine room to quit.
        const { code, stdout, stderr } = await stopWithin(server, "SIGINT", 15_000);
        open.close();
        assert.equal(code, 130);
        // The fallback for a mode that does not close its connections when told also exits 130.
        assert.doesNotMatch(stderr, /forced to quit/);
        assert.equal(numberAfter(stdout, "Connections: "), 2);
        const messages = numberAfter(stdout, "Messages: ");
        assert.ok(messages >= 3 && messages <= 5, `Messages: ${messages}`);
      }),
  );
});

Deno.test("serve: SIGUSR1 prints the report so far and the server goes on; SIGUSR2 and SIGALRM stop it with its report", async (t) => {
  await inEachVariant(
    t,
    VARIANTS,
    (variant) =>
      withServer([...SERVE, "--verbose", ...variant.args], async (server) => {
        const first = await sendEvents(server.port, 2);
        first.close();
        await server.waitFor(new RegExp(`^\\[x\\] Connection closed for ${peerOf(first)}$`));
        // Sent to the whole tree, as `kill -USR1 -<pgid>` would: no child may die of it.
        signalTree(server.pid, "SIGUSR1");
        await server.waitFor(/report so far \(SIGUSR1; the server goes on\)/);
        await server.waitFor(/^Messages: 2,/);
        const second = await sendEvents(server.port, 3);
        second.close();
        await server.waitFor(new RegExp(`^\\[x\\] Connection closed for ${peerOf(second)}$`));
        const { code, stdout, stderr } = await stopWithin(server, "SIGUSR2", 10_000, {
          wholeTree: true,
        });
        assert.equal(code, 0, `exit code ${code}; stderr:\n${tail(stderr)}`);
        assert.equal(numberAfter(stdout, "Messages: "), 5);
        assert.match(stdout, /Connections: 2 opened, 2 closed \(2 client\)/);
      }),
  );
  await inEachVariant(
    t,
    VARIANTS.filter((variant) => variant.name === "async" || variant.perConnection),
    (variant) =>
      withServer([...SERVE, ...variant.args], async (server) => {
        const done = await sendEvents(server.port, 1);
        done.close();
        const { code, stdout, stderr } = await stopWithin(server, "SIGALRM", 10_000);
        assert.equal(code, 0, `exit code ${code}; stderr:\n${tail(stderr)}`);
        assert.match(stdout, /^Connections: 1 opened/m);
      }),
  );
});
