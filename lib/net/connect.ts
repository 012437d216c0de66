/**
 * Client connection failures in words a user can act on, with their kinds for counting.
 *
 * @module
 */

/** Why a request or connection failed; mismatch means a reply that was not the expected one. */
export type FailureKind = "connect" | "reset" | "timeout" | "mismatch";

/** The failure kind of an error raised on a client connection. */
export function failureKind(error: unknown): FailureKind {
  if (error instanceof Deno.errors.ConnectionRefused) return "connect";
  if (error instanceof Deno.errors.TimedOut) return "timeout";
  if (error instanceof Deno.errors.ConnectionReset || error instanceof Deno.errors.BrokenPipe) {
    return "reset";
  }
  if (error instanceof Deno.errors.ConnectionAborted) return "reset";
  return "connect";
}

/** One sentence for a failed connection to `host:port`. */
export function describeConnectError(error: unknown, host: string, port: number): string {
  const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  if (error instanceof Deno.errors.ConnectionRefused) {
    return `connection refused by ${where}: is the server running on that port?`;
  }
  if (error instanceof Deno.errors.TimedOut) return `connection to ${where} timed out`;
  if (error instanceof Deno.errors.ConnectionReset) return `connection reset by ${where}`;
  if (error instanceof Deno.errors.BrokenPipe) return `connection to ${where} closed by the server`;
  if (error instanceof Deno.errors.NotFound) return `host "${host}" not found`;
  return `${where}: ${error instanceof Error ? error.message : String(error)}`;
}
