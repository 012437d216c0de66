/** Tests for lib/cli/run_worker.ts. */

import assert from "node:assert/strict";
import { runWorker } from "../../lib/cli/run_worker.ts";

/** A module worker from source text. */
function workerUrl(source: string): string {
  return `data:application/javascript,${encodeURIComponent(source)}`;
}

const ECHO_TWICE = workerUrl(`
  self.onmessage = (event) => {
    self.postMessage({ type: "log", line: "started " + event.data });
    self.postMessage({ type: "result", value: event.data * 2 });
  };
`);

Deno.test("runWorker() resolves with the first message accept turns into a value", async () => {
  const logs: string[] = [];
  const value = await runWorker<number>(ECHO_TWICE, 21, {
    accept: (message) => {
      const m = message as { type: string; line?: string; value?: number };
      if (m.type === "log") logs.push(m.line!);
      return m.type === "result" ? m.value : undefined;
    },
  });
  assert.equal(value, 42);
  assert.deepEqual(logs, ["started 21"]);
  // Without accept, the first message is the result.
  assert.deepEqual(await runWorker(ECHO_TWICE, 1), { type: "log", line: "started 1" });
});

Deno.test("runWorker() rejects when the worker throws, and ends it on abort", async () => {
  await assert.rejects(
    runWorker(workerUrl(`self.onmessage = () => { throw new Error("broken"); };`), 0),
    /A worker failed: .*broken/,
  );
  const controller = new AbortController();
  const never = runWorker(workerUrl(`self.onmessage = () => {};`), 0, {
    signal: controller.signal,
  });
  controller.abort(new Error("interrupted"));
  await assert.rejects(never, /interrupted/);
  const aborted = AbortSignal.abort(new Error("already"));
  await assert.rejects(runWorker(ECHO_TWICE, 1, { signal: aborted }), /already/);
});
