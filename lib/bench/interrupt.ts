/**
 * Interrupting a benchmark: SIGINT, SIGTERM and SIGHUP end the run instead of the process, so
 * that what was measured is still printed and written and every server bench started is
 * stopped. The first signal aborts the run; a second one stops the waiting for those servers
 * to finish (they have been asked to stop already).
 *
 * @module
 */

/** The signals that interrupt a benchmark. */
export const INTERRUPT_SIGNALS: readonly Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** The reason of an interrupted run's abort. */
export class Interrupted extends Error {
  override name = "Interrupted";
  constructor(readonly signal: Deno.Signal) {
    super(`Interrupted by ${signal}`);
  }
}

/** The signals a run watches while it lasts. */
export interface Interrupts {
  /** Aborted, with an {@link Interrupted} reason, by the first signal. */
  signal: AbortSignal;
  /** Aborted by the second signal: quit without waiting for servers to stop. */
  forced: AbortSignal;
  /** Stops watching. */
  dispose(): void;
}

/** Watches {@link INTERRUPT_SIGNALS} (those the platform has) until disposed. */
export function watchInterrupts(): Interrupts {
  const first = new AbortController();
  const second = new AbortController();
  const listeners = INTERRUPT_SIGNALS.map((name) => {
    const listener = () =>
      first.signal.aborted ? second.abort() : first.abort(new Interrupted(name));
    try {
      Deno.addSignalListener(name, listener);
      return () => Deno.removeSignalListener(name, listener);
    } catch {
      return () => {}; // e.g. SIGHUP and SIGTERM on Windows
    }
  });
  return {
    signal: first.signal,
    forced: second.signal,
    dispose: () => listeners.forEach((remove) => remove()),
  };
}

/** Resolves once `signal` is aborted (never, if it is not). */
export function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** The signal that interrupted a run, if `error` says one did; any other error is rethrown. */
export function interruptedBy(error: unknown): Deno.Signal {
  if (error instanceof Interrupted) return error.signal;
  throw error;
}
