/**
 * Tests of the task protocol's operations and request parsing.
 *
 * @module
 */

import assert from "node:assert/strict";
import { handleTask, reverseCodePoints, swapCase } from "../../lib/protocols/task.ts";

Deno.test("swapCase() swaps like Python's str.swapcase", () => {
  assert.equal(swapCase("Hello World 123"), "hELLO wORLD 123");
  assert.equal(swapCase("ÉcOLE"), "éCole");
  assert.equal(swapCase("straße"), "STRASSE");
});

Deno.test("swapCase() lowers a capital sigma to final sigma where Python does", () => {
  assert.equal(swapCase("ΑΣ"), "ας");
  assert.equal(swapCase("ΟΔΥΣΣΕΥΣ"), "οδυσσευς");
  assert.equal(swapCase("ΑΣ."), "ας.");
  assert.equal(swapCase("Α'Σ' β"), "α'ς' Β");
  assert.equal(swapCase("Σ"), "σ");
  assert.equal(swapCase("ΑΣΑ"), "ασα");
  assert.equal(swapCase("Α😀Σ"), "α😀σ");
  assert.equal(swapCase("ΑΣ\u0301α"), "ασ\u0301Α");
});

Deno.test("reverseCodePoints() keeps surrogate pairs whole", () => {
  assert.equal(reverseCodePoints("abc"), "cba");
  assert.equal(reverseCodePoints("a😀b🎉"), "🎉b😀a");
  assert.equal(reverseCodePoints(""), "");
});

Deno.test("handleTask() dispatches by number or name", () => {
  assert.deepEqual(handleTask("1|Ab"), { text: "aB" });
  assert.deepEqual(handleTask("case|Ab"), { text: "aB" });
  assert.deepEqual(handleTask("2|1+2"), { text: "3" });
  assert.deepEqual(handleTask("reverse|a|b"), { text: "b|a" });
  assert.deepEqual(handleTask("4|"), { text: "Goodbye!", close: true });
  assert.deepEqual(handleTask("exit|now"), { text: "Goodbye!", close: true });
});

Deno.test("handleTask() reverses bare text and refuses unknown operations", () => {
  assert.deepEqual(handleTask("BenchmarkTestString123"), { text: "321gnirtStseTkramhcneB" });
  assert.match(handleTask("7|x").text!, /^Error: unknown operation "7"/);
});
