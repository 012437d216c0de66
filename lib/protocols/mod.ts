/**
 * The protocol registry: builds a {@link Protocol} from its serialisable config, so that the
 * concurrency modes never need to know which protocol they run.
 *
 * @module
 */

import type { Protocol, ProtocolConfig, ProtocolName } from "./protocol.ts";
import { taskProtocol } from "./task.ts";
import { timestampProtocol } from "./timestamp.ts";

const PROTOCOLS: Record<ProtocolName, (config: ProtocolConfig) => Protocol> = {
  timestamp: timestampProtocol,
  task: taskProtocol,
};

/** Builds the protocol a config names. */
export function createProtocol(config: ProtocolConfig): Protocol {
  return PROTOCOLS[config.name](config);
}
