/**
 * Hostile peers, item 8 of issue 28: disk amplification. Every message is a row of `--csv`
 * (about 50 bytes), so a newline costs the server's disk 50 times what it cost the peer:
 * 4 MiB of newlines wrote 200 MiB. Data rows stop at `--csv-max`, the report says how many
 * were left out, and the connection rows are still written.
 *
 * @module
 */

import assert from "node:assert/strict";
import { LineReader } from "../../lib/protocols/line_reader.ts";
import { writeAll } from "../../lib/net/write_all.ts";
import { numberAfter, SERVE } from "../support.ts";
import { stopWithin, tail, withServer } from "../support/server_guard.ts";

const NEWLINES = 256 * 1024;
const CAP = 1024 * 1024;

Deno.test("serve --csv: a flood of newlines writes no more data rows than --csv-max", async () => {
  const dir = await Deno.makeTempDir();
  const csv = `${dir}/samples.csv`;
  try {
    await withServer([...SERVE, "--csv", csv, "--csv-max", "1MiB"], async (server) => {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
      await new LineReader(conn).readLine();
      await writeAll(conn, new TextEncoder().encode("\n".repeat(NEWLINES)));
      conn.close();
      await server.waitFor(/reached its cap of 1048576 bytes of data rows/);
      const { code, stdout, stderr } = await stopWithin(server, "SIGTERM", 10_000);
      assert.equal(code, 0, tail(stderr));
      assert.equal(numberAfter(stdout, "Messages: "), NEWLINES);
      const dropped = numberAfter(stdout, "(--csv-max): ");
      const text = await Deno.readTextFile(csv);
      const rows = text.split("\n").filter((row) => row.startsWith("data,")).length;
      assert.ok(text.length < CAP + 4096, `the CSV has ${text.length} bytes`);
      assert.equal(rows + dropped, NEWLINES, `${rows} rows written, ${dropped} dropped`);
      assert.match(text, /^connection,/m);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
