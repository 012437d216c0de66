/**
 * Whether listeners that share a port with `reusePort` get the connections spread over them.
 * Deno sets `SO_REUSEPORT` on Linux only and silently ignores it elsewhere, so on macOS and
 * Windows a second listener on the port fails with "address in use" (or never accepts): there
 * a pool of members is reached through a proxy in the parent and `async` keeps one accept
 * queue. `SOCKLAB_SHARED_PORT=proxy` asks for that fallback on Linux too, so that it can be
 * tested (and compared) where it is not needed.
 *
 * @module
 */

import { ServerStartError } from "./server_start_error.ts";

/** The environment variable that forces the fallback. */
export const SHARED_PORT_ENV = "SOCKLAB_SHARED_PORT";

function setting(): string | undefined {
  try {
    return Deno.env.get(SHARED_PORT_ENV);
  } catch {
    // Without --allow-env nobody can have asked for the fallback.
    return undefined;
  }
}

/**
 * Whether listeners sharing a port with `reusePort` are balanced here: on Linux, unless
 * {@link SHARED_PORT_ENV} is `proxy`. Fails on any other value of it, naming the fix.
 */
export function sharedPortSupported(
  os: string = Deno.build.os,
  forced: string | undefined = setting(),
): boolean {
  if (forced === "proxy") return false;
  if (forced !== undefined && forced !== "") {
    throw new ServerStartError(
      `Invalid ${SHARED_PORT_ENV} "${forced}": expected "proxy" (pools reached through a proxy in the parent) or unset`,
    );
  }
  return os === "linux";
}
