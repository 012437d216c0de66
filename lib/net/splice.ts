/**
 * Joining two connections through this process: what one sends, the other receives, each
 * write awaited before the next read (so a side that does not read holds the other back
 * through TCP flow control instead of filling this process), and a half-close passed on.
 *
 * @module
 */

import type { Conn } from "./transport.ts";

/**
 * Copies `from` to `to` until `from` finishes sending, then ends `to`'s sending; rejects if
 * reading `from` fails. When `to` takes no more (it closed, or was reset), it stops reading
 * and resolves: what `to` sent before, say an error reply, still goes the other way.
 */
async function pump(from: Conn, to: Conn): Promise<void> {
  for (let chunk = await from.read(); chunk !== null; chunk = await from.read()) {
    try {
      await to.write(chunk);
    } catch {
      return;
    }
  }
  await to.closeWrite().catch(() => {});
}

/**
 * Relays `a` and `b` to each other, then closes both: once both directions have ended (each
 * side finished sending, or stopped taking what the other sends), once reading either fails
 * (a reset), or `lingerMs` (0: no limit) after the first direction ended, so that a peer
 * that ignores the other's end cannot hold both connections forever.
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
