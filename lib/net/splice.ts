/**
 * Joining two connections through this process: what one sends, the other receives, each
 * write awaited before the next read (so a side that does not read holds the other back
 * through TCP flow control instead of filling this process), and a half-close passed on.
 *
 * @module
 */

import type { Conn } from "./transport.ts";

/** Copies `from` to `to` until `from` finishes sending, then ends `to`'s sending. */
async function pump(from: Conn, to: Conn): Promise<void> {
  for (let chunk = await from.read(); chunk !== null; chunk = await from.read()) {
    await to.write(chunk);
  }
  await to.closeWrite();
}

/**
 * Relays `a` and `b` to each other, then closes both: once both have finished sending, once
 * either fails (a reset, a write that cannot go through), or `lingerMs` (0: no limit) after
 * the first of them finished sending, so that a peer that ignores the other's end cannot hold
 * both connections forever.
 */
export async function splice(a: Conn, b: Conn, lingerMs = 0): Promise<void> {
  let linger: ReturnType<typeof setTimeout> | undefined;
  const close = () => {
    a.close();
    b.close();
  };
  const finished = () => {
    if (lingerMs > 0) linger ??= setTimeout(close, lingerMs);
  };
  await Promise.all([pump(a, b), pump(b, a)].map((direction) => direction.then(finished, close)));
  clearTimeout(linger);
  close();
}
