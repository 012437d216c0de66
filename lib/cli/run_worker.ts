/**
 * Running a Web Worker as a promise: post it one start message, wait for its answer. Each
 * message the worker posts goes to `accept`; the first one it turns into a value ends the
 * worker with that value (so a worker may post progress or log lines before its result). An
 * abort terminates the worker at once, which is how an interrupted run stops its load.
 *
 * @module
 */

/** How {@link runWorker} treats the worker's messages and when it gives up. */
export interface RunWorkerOptions<Out> {
  /** The result a message stands for, or undefined for one that is not the result. */
  accept?: (message: unknown) => Out | undefined;
  /** Terminates the worker; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Starts the module worker at `url` with `start` and resolves with its result. */
export function runWorker<Out>(
  url: string | URL,
  start: unknown,
  options: RunWorkerOptions<Out> = {},
): Promise<Out> {
  const { accept = (message: unknown) => message as Out, signal } = options;
  return new Promise<Out>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const worker = new Worker(url, { type: "module" });
    const end = () => {
      worker.terminate();
      signal?.removeEventListener("abort", onAbort);
    };
    const onAbort = () => {
      end();
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.onmessage = (event: MessageEvent) => {
      const result = accept(event.data);
      if (result === undefined) return;
      end();
      resolve(result);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      end();
      reject(new Error(`A worker failed: ${event.message}`));
    };
    worker.postMessage(start);
  });
}
