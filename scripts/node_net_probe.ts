/**
 * The yardstick of BENCHMARKS.md section 4: the `node:net` line-reverse server of issue 8, with
 * socklab's `handleTask` per line and nothing else of socklab's, written from the `data`
 * handler. What it reaches under `ldgen -e reverse` is what `node:net` under Deno allows a
 * task server; `task-serve --mode async --io node` is measured against it.
 *
 * Usage: deno run -A scripts/node_net_probe.ts   (prints its port; stop with Ctrl-C)
 *
 * @module
 */

import * as net from "node:net";
import { handleTask } from "../lib/protocols/task.ts";

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on("error", () => {});
  let pending = "";
  socket.on("data", (chunk: Uint8Array) => {
    const lines = (pending + chunk.toString()).split("\n");
    pending = lines.pop()!;
    let out = "";
    for (const line of lines) out += handleTask(line).text + "\n";
    if (out !== "") socket.write(out);
  });
});
server.listen({ host: "127.0.0.1", port: 0, backlog: 4096 }, () => {
  const { port } = server.address() as net.AddressInfo;
  console.log(`node:net probe listening on 127.0.0.1:${port}`);
});
Deno.addSignalListener("SIGINT", () => server.close());
