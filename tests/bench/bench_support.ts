/**
 * Support for the bench tests: temporary directories, small servers written inside the tests
 * (silent, wrong, closing, echoing, the reference's reply-and-close), and the parts of
 * synthetic results.
 *
 * @module
 */

import type { RunEnvironment, ScaleSettings } from "../../lib/bench/bench_result.ts";

/** Where synthetic runs were made. */
export const TEST_ENVIRONMENT: RunEnvironment = {
  socklab: "9.8.7",
  deno: "2.9.6",
  v8: "15.0",
  typescript: "6.0",
  os: "linux x86_64",
  kernel: "6.1.2-test",
  cpuModel: "Test CPU @ 3 GHz",
  cpuCount: 12,
  host: "loadhost-1",
  fdLimit: { soft: 4096, hard: 8192 },
  commandLine: "socklab bench scale --out 'my dir'",
};

/** The settings of a synthetic scale run: the defaults but for these. */
export function scaleSettings(
  chosen: Pick<ScaleSettings, "targets" | "connections" | "requests" | "size">,
): ScaleSettings {
  return {
    ...chosen,
    expect: "reverse",
    pace: 256,
    rate: null,
    clientWorkers: 2,
    clientIo: "node",
    serverWorkers: 2,
    timeoutMs: 30_000,
  };
}

/** Runs `body` with a fresh temporary directory, removed afterwards. */
export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "socklab_bench_test_" });
  try {
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A server on 127.0.0.1 that hands every connection to `serve`; closed by `close()`. */
export function testServer(serve: (conn: Deno.TcpConn) => Promise<void>) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.TcpConn>();
  const accepting = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      serve(conn).catch(() => {}).finally(() => {
        conns.delete(conn);
        try {
          conn.close();
        } catch { /* closed already */ }
      });
    }
  })().catch(() => {});
  return {
    port: listener.addr.port,
    async close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed already */ }
      }
      await accepting;
    },
  };
}

/** One read's bytes, or null at the end of the stream. */
export async function readSome(conn: Deno.TcpConn): Promise<Uint8Array | null> {
  const buffer = new Uint8Array(4096);
  const n = await conn.read(buffer);
  return n === null ? null : buffer.subarray(0, n);
}

/** A port nothing listens on. */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}
