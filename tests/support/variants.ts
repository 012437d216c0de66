/**
 * The server variants the hostile-peer suite attacks — every mode, pools of two and one
 * worker or child per connection — and a runner that attacks them all at once, one test step
 * per variant, so the suite's wall time is that of its slowest variant, not their sum.
 *
 * @module
 */

/** One way to run a server: a name for the step and the `--mode`/`--workers` arguments. */
export interface Variant {
  name: string;
  args: string[];
  /** `--workers 0`: a Web Worker or child process for each connection. */
  perConnection: boolean;
}

/** All six: `iter`, `async`, `thr` and `proc` as pools of 2 and per connection. */
export const VARIANTS: readonly Variant[] = [
  { name: "iter", args: ["--mode", "iter"], perConnection: false },
  { name: "async", args: ["--mode", "async"], perConnection: false },
  { name: "thr pool of 2", args: ["--mode", "thr", "--workers", "2"], perConnection: false },
  { name: "thr --workers 0", args: ["--mode", "thr", "--workers", "0"], perConnection: true },
  { name: "proc pool of 2", args: ["--mode", "proc", "--workers", "2"], perConnection: false },
  { name: "proc --workers 0", args: ["--mode", "proc", "--workers", "0"], perConnection: true },
];

/** Runs one named check as a test step of its own, so a failure does not hide the rest. */
export type Check = (
  name: string,
  fn: () => Promise<void>,
  options?: { ignore?: boolean },
) => Promise<boolean>;

const UNSANITIZED = { sanitizeOps: false, sanitizeResources: false, sanitizeExit: false };

/**
 * Runs `fn` for each variant as test steps, concurrently unless `concurrent` is false (for
 * attacks whose effect depends on how fast the server runs). Sanitizers are off for the steps
 * (Deno requires it of concurrent steps); each step cleans up its own server instead.
 */
export async function inEachVariant(
  t: Deno.TestContext,
  variants: readonly Variant[],
  fn: (variant: Variant, check: Check) => Promise<void>,
  { concurrent = true } = {},
): Promise<void> {
  const run = (variant: Variant) =>
    t.step({
      name: variant.name,
      ...UNSANITIZED,
      fn: (step) =>
        fn(
          variant,
          (name, check, options) =>
            step.step({ name, ...UNSANITIZED, ignore: options?.ignore ?? false, fn: check }),
        ),
    });
  if (concurrent) await Promise.all(variants.map(run));
  else for (const variant of variants) await run(variant);
}
