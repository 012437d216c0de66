/**
 * The transport registry: code that opens sockets asks for a transport by its `--io` name.
 *
 * @module
 */

import { denoTransport } from "./deno_transport.ts";
import { nodeTransport } from "./node_transport.ts";
import type { IoName, Transport } from "./transport.ts";

const TRANSPORTS: Record<IoName, Transport> = { deno: denoTransport, node: nodeTransport };

/** The transport an `--io` name stands for. */
export function transportFor(name: IoName): Transport {
  return TRANSPORTS[name];
}
