/**
 * Tests of the flag parsing and validation helpers: every invalid value is a UsageError that
 * names the flag, quotes the value and says what is expected.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  choiceFlag,
  choiceListFlag,
  durationFlag,
  hostFlag,
  hostPortFlag,
  intFlag,
  intListFlag,
  numberFlag,
  parseFlags,
  sizeFlag,
  UsageError,
} from "../../lib/cli/flags.ts";

const usage = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (error) => error instanceof UsageError && message.test(error.message));

Deno.test("intFlag() takes integers in range and names flag and value otherwise", () => {
  assert.equal(intFlag({ port: "8080" }, "port", 1, 1, 65535), 8080);
  assert.equal(intFlag({}, "port", 55000, 1, 65535), 55000);
  usage(
    () => intFlag({ port: "abc" }, "port", 1, 1, 65535),
    /^Invalid --port "abc": expected a positive integer up to 65535$/,
  );
  usage(() => intFlag({ port: "70000" }, "port", 1, 1, 65535), /"70000"/);
  usage(() => intFlag({ n: "1.5" }, "n", 1, 0), /an integer of at least 0/);
});

Deno.test("numberFlag() requires a finite number above the minimum", () => {
  assert.equal(numberFlag({ param: "2.5" }, "param", 1, 0), 2.5);
  usage(() => numberFlag({ param: "0" }, "param", 1, 0), /greater than 0/);
  usage(() => numberFlag({ param: "" }, "param", 1, 0), /Invalid --param ""/);
  usage(() => numberFlag({ param: "Infinity" }, "param", 1, 0), /Invalid --param/);
});

Deno.test("choiceFlag() accepts choices and aliases", () => {
  const kinds = ["det", "uniform", "exp"] as const;
  assert.equal(choiceFlag({ dist: "u" }, "dist", "det", kinds, { u: "uniform" }), "uniform");
  assert.equal(choiceFlag({ dist: "exp" }, "dist", "det", kinds), "exp");
  usage(
    () => choiceFlag({ dist: "x" }, "dist", "det", kinds, { u: "uniform" }),
    /one of det, uniform, exp, u$/,
  );
});

Deno.test("list flags split on commas and validate each item", () => {
  assert.deepEqual(intListFlag({ clients: "10, 20,30" }, "clients", []), [10, 20, 30]);
  usage(() => intListFlag({ clients: "10,x" }, "clients", []), /Invalid --clients "10,x"/);
  assert.deepEqual(choiceListFlag({ modes: "async,thr,async" }, "modes", [], ["async", "thr"]), [
    "async",
    "thr",
  ]);
  usage(() => choiceListFlag({ modes: "fork" }, "modes", [], ["async"]), /Invalid --modes "fork"/);
});

Deno.test("durationFlag() and sizeFlag() take units", () => {
  assert.equal(durationFlag({ delay: "250ms" }, "delay", 0), 250);
  assert.equal(durationFlag({ delay: "3" }, "delay", 0), 3000);
  usage(() => durationFlag({ delay: "soon" }, "delay", 0), /Invalid --delay "soon"/);
  assert.equal(sizeFlag({ "max-line": "64KiB" }, "max-line", 1, 1, 1 << 30), 65536);
  usage(() => sizeFlag({ "max-line": "0" }, "max-line", 1, 1, 100), /a size from 1 to 100 bytes/);
});

Deno.test("hostFlag() and hostPortFlag() parse hosts, brackets and ports", () => {
  assert.equal(hostFlag({ host: "[::1]" }, "host", "0.0.0.0"), "::1");
  usage(() => hostFlag({}, "server", undefined), /^Missing --server: it is required$/);
  assert.deepEqual(hostPortFlag({ server: "[::1]:8000" }, "server"), { host: "::1", port: 8000 });
  assert.deepEqual(hostPortFlag({ server: "127.0.0.1:65432" }, "server"), {
    host: "127.0.0.1",
    port: 65432,
  });
  usage(() => hostPortFlag({ server: "127.0.0.1" }, "server"), /expected HOST:PORT/);
});

Deno.test("parseFlags() rephrases parseArgs errors as usage errors", () => {
  usage(() => parseFlags(["--nope"], {}), /^Unknown option "--nope"/);
  usage(() => parseFlags(["--port"], { port: { type: "string" } }), /^Missing value for --port/);
  usage(() => parseFlags(["stray"], {}), /^Unexpected argument "stray"/);
  assert.equal(parseFlags(["-h"], {}).values.help, true);
});
