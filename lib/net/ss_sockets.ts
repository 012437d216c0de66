/**
 * This machine's TCP sockets on one local port, as `ss` (iproute2) lists them with their
 * owners: Deno lets only `--allow-all` read `/proc`.
 *
 * @module
 */

/** How long `ss` may take before it is given up: a dying member's kill waits for it. */
const ASK_TIMEOUT_MS = 1000;

/** `ss FLAGS 'sport = :PORT'`'s output; undefined where `ss` is missing or fails. */
export async function ssSockets(flags: string, port: number): Promise<string | undefined> {
  try {
    const { success, stdout } = await new Deno.Command("ss", {
      args: [flags, `sport = :${port}`],
      stdout: "piped",
      stderr: "null",
      signal: AbortSignal.timeout(ASK_TIMEOUT_MS),
    }).output();
    return success ? new TextDecoder().decode(stdout) : undefined;
  } catch {
    return undefined;
  }
}
