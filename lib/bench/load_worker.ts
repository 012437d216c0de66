/**
 * The Web Worker entry of the load generator: one start message in, one report out.
 *
 * @module
 */

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import { generateLoad, type LoadWorkerStart } from "./load_generator.ts";

self.onmessage = async (event: MessageEvent<LoadWorkerStart>) => {
  self.postMessage(await generateLoad(event.data));
};
