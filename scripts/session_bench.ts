/**
 * What socklab's own code costs per connection under churn, without sockets: one whole
 * {@link runSession} (record, framing, deadlines, one `reverse` request and its reply, the end of
 * the stream) on an in-memory duplex that pushes like the `node` transport, while another
 * connection stays open as under load. BENCHMARKS.md section 4 sets this beside the churn
 * figures; the kernel's and `node:net`'s share of a connection is what remains.
 *
 * Usage: deno bench -A scripts/session_bench.ts
 *
 * @module
 */

import { type Duplex, runSession } from "../lib/server/session.ts";
import { sessionOptions } from "../modes/_local.ts";
import { type ChunkSink, WRITTEN } from "../lib/net/transport.ts";
import type { ServerSpec } from "../lib/server/server_spec.ts";

const REQUEST = new TextEncoder().encode(`reverse|${"x".repeat(55)}\n`);

/** A duplex that pushes one request and then ends, as a churn client does. */
class OneRequest implements Duplex {
  read(): Promise<Uint8Array | null> {
    return Promise.reject(new Error("read() is not used: the duplex feeds"));
  }
  feed(sink: ChunkSink): Promise<void> {
    return new Promise((resolve, reject) => {
      // The bytes arrive in a later turn than the feed starts, as from a socket.
      queueMicrotask(() => {
        const held = sink(REQUEST);
        if (held) held.then(resolve, reject);
        else resolve();
      });
    });
  }
  write(): Promise<void> {
    return WRITTEN;
  }
  close(): void {}
}

const spec = {
  protocol: { name: "task", delayMs: 0 },
  framing: "line",
  maxLine: 65536,
  verbose: false,
  idleTimeoutMs: 300_000,
  requestTimeoutMs: 30_000,
} as ServerSpec;
const options = sessionOptions(spec, () => {});

/** A duplex that never sends nor ends: the other connections a churning server holds. */
class Silent extends OneRequest {
  override feed(): Promise<void> {
    return new Promise(() => {});
  }
}

// Without one connection open the whole time, every session would start and stop the shared
// deadline timer, which a server under churn does not (about 1.8 µs of each session here).
runSession(new Silent(), "127.0.0.1:39999", 0, "main", options);

Deno.bench("runSession() of one request and the end of the stream", async () => {
  await runSession(new OneRequest(), "127.0.0.1:40000", 0, "main", options);
});
