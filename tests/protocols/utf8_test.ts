/**
 * Tests for UTF-8 encoding and byte counts on the hot path.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fc } from "../support/fast_check.ts";
import { encodeUtf8, utf8Length } from "../../lib/protocols/utf8.ts";

const encoder = new TextEncoder();

Deno.test("utf8Length() counts the bytes TextEncoder writes, for any text", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 64 }), (text) => {
      assert.equal(utf8Length(text), encoder.encode(text).length);
    }),
    { numRuns: 1000 },
  );
  // A lone surrogate goes out as U+FFFD, three bytes.
  assert.equal(utf8Length("a\ud800"), 4);
  assert.equal(utf8Length("olléh😀\n"), 11);
});

Deno.test("encodeUtf8() writes the bytes TextEncoder writes", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 64 }), (text) => {
      assert.deepEqual([...encodeUtf8(text)], [...encoder.encode(text)]);
    }),
  );
});
