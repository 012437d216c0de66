/**
 * Fault injection for the fault-tolerance tests, off unless the environment variable
 * `SOCKLAB_FAILPOINTS` names a failpoint, e.g. `SOCKLAB_FAILPOINTS=member-crash-after=3`:
 * the tests make a real worker or child fail the way a bug would, and check that the server
 * reports it, replaces the member and keeps its statistics. Never set by socklab itself.
 *
 * @module
 */

/** The failpoints socklab knows. */
export type FailpointName =
  /**
   * A pool member throws an uncaught error two progress intervals after it accepts its Nth
   * connection, after reporting the progress of the connections it holds.
   */
  "member-crash-after";

/** The failpoint's numeric value, or undefined when it is not set. */
export function failpoint(name: FailpointName): number | undefined {
  let spec: string | undefined;
  try {
    spec = Deno.env.get("SOCKLAB_FAILPOINTS");
  } catch {
    return undefined;
  }
  for (const item of spec?.split(",") ?? []) {
    const [key, value] = item.split("=");
    if (key.trim() === name) return Number(value ?? 1);
  }
  return undefined;
}
