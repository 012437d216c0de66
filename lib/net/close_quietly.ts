/**
 * Closing what may be closed already: a connection, a listener, a stream end.
 *
 * @module
 */

/** Closes a connection or stream end, ignoring that it may be closed already. */
export function closeQuietly(closable: { close(): void }): void {
  try {
    closable.close();
  } catch { /* already closed */ }
}
