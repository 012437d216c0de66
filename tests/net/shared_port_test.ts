/**
 * Tests of choosing how listeners share a port: `reusePort` where it spreads connections
 * (Linux), one listener or a relay elsewhere, and `SOCKLAB_SHARED_PORT=proxy` forcing the
 * fallback.
 *
 * @module
 */

import assert from "node:assert/strict";
import { listenShared } from "../../lib/net/listen.ts";
import { SHARED_PORT_ENV, sharedPortSupported } from "../../lib/net/shared_port.ts";
import { denoTransport } from "../../lib/net/deno_transport.ts";

Deno.test("sharedPortSupported() is true on Linux only, unless the fallback is forced", () => {
  assert.equal(sharedPortSupported("linux", undefined), true);
  assert.equal(sharedPortSupported("linux", ""), true);
  for (const os of ["darwin", "windows", "freebsd"]) {
    assert.equal(sharedPortSupported(os, undefined), false, os);
  }
  assert.equal(sharedPortSupported("linux", "proxy"), false);
  assert.equal(sharedPortSupported("darwin", "proxy"), false);
});

Deno.test("sharedPortSupported() names the variable and the fix for an unknown value", () => {
  assert.throws(
    () => sharedPortSupported("linux", "reuseport"),
    /^ServerStartError: Invalid SOCKLAB_SHARED_PORT "reuseport": expected "proxy"/,
  );
});

/** Runs `body` with the environment variable set to `value` (deleted for undefined). */
async function withSetting(value: string | undefined, body: () => Promise<void>): Promise<void> {
  const before = Deno.env.get(SHARED_PORT_ENV);
  const set = (v: string | undefined) =>
    v === undefined ? Deno.env.delete(SHARED_PORT_ENV) : Deno.env.set(SHARED_PORT_ENV, v);
  set(value);
  try {
    await body();
  } finally {
    set(before);
  }
}

Deno.test("listenShared() opens one listener where reusePort is not balanced", async () => {
  const open = async () => {
    const listeners = await listenShared(denoTransport, "127.0.0.1", 0, 3);
    listeners.forEach((listener) => listener.close());
    return listeners.length;
  };
  await withSetting("proxy", async () => assert.equal(await open(), 1));
  if (Deno.build.os === "linux") {
    await withSetting(undefined, async () => assert.equal(await open(), 3));
  }
});
