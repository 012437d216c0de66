/**
 * Text to UTF-8 bytes on the hot path. In Deno 2.9.6 `TextEncoder.encode` of a 64-byte line
 * takes about 1.8 µs and `node:buffer`'s `Buffer.from` about 0.2 µs (`deno bench`, see
 * BENCHMARKS.md), which at tens of thousands of replies a second is a tenth of a core.
 *
 * @module
 */

import { Buffer } from "node:buffer";

/** `text` as UTF-8, in a fresh array the caller may hand to a write. */
export function encodeUtf8(text: string): Uint8Array {
  return Buffer.from(text, "utf8");
}

// Any UTF-16 code unit above U+007F, surrogates included.
const NOT_ASCII = /[\u0080-\uffff]/;

/**
 * How many bytes `text` takes as UTF-8; for ASCII text, a protocol's usual reply, without a
 * call into the runtime.
 */
export function utf8Length(text: string): number {
  return NOT_ASCII.test(text) ? Buffer.byteLength(text, "utf8") : text.length;
}
