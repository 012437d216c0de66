/**
 * Tests of duration and size parsing and of millisecond formatting.
 *
 * @module
 */

import assert from "node:assert/strict";
import { formatDuration, formatMs, parseDurationMs, parseSize } from "../../lib/cli/units.ts";

Deno.test("parseDurationMs() reads units and bare seconds", () => {
  assert.equal(parseDurationMs("3s"), 3000);
  assert.equal(parseDurationMs("250ms"), 250);
  assert.equal(parseDurationMs("1.5m"), 90_000);
  assert.equal(parseDurationMs("2"), 2000);
  assert.equal(parseDurationMs("500us"), 0.5);
  assert.equal(parseDurationMs("3 s"), 3000);
  for (const bad of ["", "s", "-1s", "3x", "1e3"]) {
    assert.equal(parseDurationMs(bad), undefined, bad);
  }
});

Deno.test("parseSize() reads binary and decimal units", () => {
  assert.equal(parseSize("64"), 64);
  assert.equal(parseSize("64KiB"), 65536);
  assert.equal(parseSize("1MB"), 1_000_000);
  assert.equal(parseSize("2k"), 2048);
  for (const bad of ["", "1.5", "3 parsecs", "-1"]) assert.equal(parseSize(bad), undefined, bad);
});

Deno.test("formatMs() and formatDuration() scale their precision", () => {
  assert.equal(formatMs(0.1234), "0.123");
  assert.equal(formatMs(12.345), "12.35");
  assert.equal(formatMs(1033.52), "1033.5");
  assert.equal(formatDuration(850), "850ms");
  assert.equal(formatDuration(12_340), "12.3s");
  assert.equal(formatDuration(245_000), "4m05s");
  assert.equal(formatDuration(3_720_000), "1h02m");
});
