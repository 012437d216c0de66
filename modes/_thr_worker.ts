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
    // Only pool members listen; the module is loaded here, not for every relayed connection,
    // and asked for before the member's own import of it to listen.
    const { threadShared } = start;
    if (threadShared) {
      void import("../lib/net/transports.ts").then(({ transportFor }) =>
        transportFor(start.spec.io).joinThreadShared?.(threadShared)
      );
    }
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
