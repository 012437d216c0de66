/**
 * Writing a whole buffer to a writer that may take only part of it per call, as
 * `Deno.Conn` and `Deno.stdout` do.
 *
 * @module
 */

/** Writes every byte of `bytes` (a single write may take only part). */
export async function writeAll(
  writer: { write(bytes: Uint8Array): Promise<number> },
  bytes: Uint8Array,
): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await writer.write(bytes.subarray(offset));
}
