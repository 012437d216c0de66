/**
 * The Web Worker entry of `thr`: the first message says whether this worker is a pool member
 * (accepting on the shared port) or serves one connection whose bytes the parent relays.
 *
 * @module
 */

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import { memberControl, runConnMember, runPoolMember } from "./_member.ts";
import type {
  MemberMessage,
  ParentMessage,
  RelayIn,
  RelayOut,
  ThrStart,
} from "./_member_messages.ts";
import { PushDuplex } from "./_relay_duplex.ts";

const post = (message: MemberMessage | RelayOut) => self.postMessage(message);

self.onmessage = (first: MessageEvent<ThrStart>) => {
  const start = first.data;
  if (start.role === "pool") {
    // Only pool members listen; the module is loaded here, not for every relayed connection.
    void import("../lib/net/node_listener.ts").then((node) =>
      node.shareExhaustionCount(start.exhaustions)
    );
    const control = memberControl();
    self.onmessage = (event: MessageEvent<ParentMessage>) => control.receive(event.data);
    void runPoolMember(start, start.worker, (messages) => self.postMessage(messages), control);
    return;
  }
  // Deno runs a worker's timers late while messages keep arriving (a 250 ms interval went 3 s
  // without running under a steady stream): acknowledging from a timer lets the window fill
  // and the stream pause, so heartbeats, progress reports and deadlines run during a flood.
  const duplex = new PushDuplex(
    (bytes) => post({ type: "write", bytes }),
    (bytes) => setTimeout(() => post({ type: "consumed", bytes })),
    () => post({ type: "end" }),
  );
  self.onmessage = (event: MessageEvent<RelayIn | ParentMessage>) => {
    const message = event.data;
    if (message.type === "data") duplex.push(message.bytes, message.at);
    else if (message.type === "eof") duplex.end();
    else if (message.type === "reset") duplex.reset();
    else if (message.type === "written") duplex.written(message.ok);
  };
  void runConnMember(start, duplex, post);
};
