/**
 * Tests of the memory-per-connection table that scripts/measure_conn_memory.ts prints.
 *
 * @module
 */

import assert from "node:assert/strict";
import { formatConnMemory } from "../../scripts/measure_conn_memory.ts";

const MIB = 2 ** 20;

Deno.test("formatConnMemory() divides by accepted connections, over the baseline and per step", () => {
  const table = formatConnMemory([{
    variant: "proc --workers 0",
    baselineBytes: 50 * MIB,
    points: [
      { connections: 20, accepted: 20, rssBytes: 910 * MIB },
      { connections: 100, accepted: 100, rssBytes: 4350 * MIB },
    ],
  }, {
    variant: "iter",
    baselineBytes: 45 * MIB,
    points: [{ connections: 10, accepted: 1, rssBytes: 46 * MIB }],
    stopped: "the server stopped accepting at 1; the rest wait in the backlog",
  }]).split("\n");
  assert.equal(table.length, 5);
  assert.equal(table[2], "| proc --workers 0 | 20 of 20 | 50.0 → 910.0 | 43.00 |  |  |");
  assert.equal(table[3], "| proc --workers 0 | 100 of 100 | 50.0 → 4350.0 | 43.00 | 43.00 |  |");
  assert.equal(
    table[4],
    "| iter | 1 of 10 | 45.0 → 46.0 | 1.00 |  | the server stopped accepting at 1; the rest wait in the backlog |",
  );
});
