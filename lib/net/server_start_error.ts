/**
 * The error a server start fails with, so that `main.ts` can tell it from a bug and print
 * only its message.
 *
 * @module
 */

/** Fails a server start: port in use, permission denied, unknown host. Exit code 1. */
export class ServerStartError extends Error {
  override name = "ServerStartError";
}
