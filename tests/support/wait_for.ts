/**
 * Waiting in tests. {@link waitFor} waits for the condition a test means (a printed line, a
 * counter, a socket state) and fails naming it, so a slow machine makes a test slower, never
 * wrong. {@link waitForSteady} waits for a reading (a process tree's memory or descriptors, bytes
 * waiting in the kernel) to stop changing. {@link sleep} paces a scripted peer; it is not a way
 * to wait for something to happen.
 *
 * @module
 */

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Bounds on a {@link waitFor}. */
export interface WaitForOptions {
  /** What is awaited, for the failure: "the server's second close" (a function: as it is then). */
  what: string | (() => string);
  /** Fails after this long (default 10 s), so that a hang fails the test instead of stalling it. */
  timeoutMs?: number;
  /** How often `condition` is asked (default 10 ms). */
  intervalMs?: number;
}

/**
 * Asks `condition` until it returns something other than `undefined`, `null` or `false`, and
 * returns that; throws naming `what` once `timeoutMs` have passed.
 */
export async function waitFor<T>(
  condition: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { what, timeoutMs = 10_000, intervalMs = 10 }: WaitForOptions,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== null && value !== false) return value;
    if (performance.now() > deadline) throw timedOut(what, timeoutMs);
    await sleep(intervalMs);
  }
}

/** Bounds on a {@link waitForSteady}. */
export interface WaitForSteadyOptions extends WaitForOptions {
  /** How far two readings in a row may differ and still agree (default 0: equal). */
  tolerance?: number;
}

/**
 * Reads `read` every `intervalMs` (default 100 ms) until two readings in a row agree within
 * `tolerance`, and returns the last: for a quantity that moves while something is under way and
 * stops when it is done. Throws naming `what` after `timeoutMs` (default 10 s).
 */
export async function waitForSteady(
  read: () => number | Promise<number>,
  { what, tolerance = 0, timeoutMs, intervalMs = 100 }: WaitForSteadyOptions,
): Promise<number> {
  const readings: number[] = [];
  return await waitFor(async () => {
    readings.push(await read());
    if (readings.length > 5) readings.shift();
    const [before, now] = readings.slice(-2);
    return readings.length > 1 && Math.abs(now - before) <= tolerance && now;
  }, {
    what: () =>
      `${typeof what === "function" ? what() : what} to settle (read ${
        readings.slice(-5).join(", ")
      })`,
    timeoutMs,
    intervalMs,
  });
}

/** `promise`, or a failure naming `what` after `timeoutMs` (default 5 s). */
export async function within<T>(
  promise: Promise<T>,
  { what, timeoutMs = 5000 }: Omit<WaitForOptions, "intervalMs">,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut(what, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

function timedOut(what: WaitForOptions["what"], timeoutMs: number): Error {
  return new Error(
    `Timed out after ${timeoutMs} ms waiting for ${typeof what === "function" ? what() : what}`,
  );
}
