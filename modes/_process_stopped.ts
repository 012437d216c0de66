/**
 * Whether a process is stopped by a signal (SIGSTOP, Ctrl-Z) or a debugger: its `ps` state
 * begins with `T` or `t`. Deno lets only `--allow-all` read `/proc`, so `ps` is asked; false
 * where it cannot say.
 *
 * @module
 */

/** How long `ps` may take before it is given up. */
const ASK_TIMEOUT_MS = 1000;

/** Whether `pid` is stopped; see the module doc. */
export async function processStopped(pid: number): Promise<boolean> {
  try {
    const { success, stdout } = await new Deno.Command("ps", {
      args: ["-o", "stat=", "-p", String(pid)],
      stdout: "piped",
      stderr: "null",
      signal: AbortSignal.timeout(ASK_TIMEOUT_MS),
    }).output();
    return success && /^[Tt]/.test(new TextDecoder().decode(stdout).trim());
  } catch {
    return false;
  }
}
