/**
 * Hostile conditions, item 5 of issue 9: signals. SIGHUP (a closed terminal or SSH session,
 * which signals every process of the foreground group: the server and its children) must
 * stop `serve` with its report like SIGINT, in every variant; and a second SIGINT while
 * draining quits at once, still prints what the server knows, and leaves no process behind.
 *
 * @module
 */

import assert from "node:assert/strict";
import { LineReader } from "../../lib/protocols/line_reader.ts";
import { TIMESTAMP_GREETING, timestampLine } from "../../lib/protocols/timestamp.ts";
import { writeAll } from "../../lib/net/write_all.ts";
import { numberAfter, SERVE } from "../support.ts";
import { stopWithin, tail, withServer } from "../support/server_guard.ts";
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
        const { code, stdout } = await stopWithin(server, "SIGINT", 2000);
        open.close();
        assert.equal(code, 130);
        assert.equal(numberAfter(stdout, "Connections: "), 2);
        const messages = numberAfter(stdout, "Messages: ");
        assert.ok(messages >= 3 && messages <= 5, `Messages: ${messages}`);
      }),
  );
});
