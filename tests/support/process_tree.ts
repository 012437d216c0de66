/**
 * A server's process tree as Linux shows it in /proc: the server and every process it started
 * (a `proc` server's children), their summed resident memory, and signals to all of them, so
 * that tests can weigh a server whatever its mode and never leave a child stopped or running.
 *
 * @module
 */

/** `pid` and all its descendants, parents before children; empty once `pid` has exited. */
export function processTree(pid: number): number[] {
  const tree: number[] = [];
  const visit = (id: number) => {
    let tasks: Deno.DirEntry[];
    try {
      tasks = [...Deno.readDirSync(`/proc/${id}/task`)];
    } catch {
      return; // exited meanwhile
    }
    tree.push(id);
    for (const task of tasks) {
      let children = "";
      try {
        children = Deno.readTextFileSync(`/proc/${id}/task/${task.name}/children`).trim();
      } catch { /* the thread ended meanwhile */ }
      if (children !== "") children.split(" ").forEach((child) => visit(Number(child)));
    }
  };
  visit(pid);
  return tree;
}

/** Resident memory of one process in bytes (`VmRSS`), 0 if it has exited. */
export function rssBytes(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of `pid` and all its descendants, in bytes. */
export function treeRssBytes(pid: number): number {
  return processTree(pid).reduce((sum, id) => sum + rssBytes(id), 0);
}

/**
 * When `pid` started (clock ticks since boot, field 22 of /proc/<pid>/stat), which tells a
 * process from a later one given the same pid; undefined once it has exited.
 */
export function startTime(pid: number): string | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the command name, which is in parentheses and may contain spaces.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** Sends `signal` to every process of the tree, ignoring those that exited meanwhile. */
export function signalTree(pid: number, signal: Deno.Signal): void {
  for (const id of processTree(pid)) {
    try {
      Deno.kill(id, signal);
    } catch { /* exited */ }
  }
}

/** Mebibytes, for messages. */
export function mib(bytes: number, digits = 1): string {
  return (bytes / 2 ** 20).toFixed(digits);
}

/** How many files `pid` and its descendants hold open (entries of /proc/<pid>/fd). */
export function treeOpenFiles(pid: number): number {
  let count = 0;
  for (const id of processTree(pid)) {
    try {
      for (const _ of Deno.readDirSync(`/proc/${id}/fd`)) count++;
    } catch { /* exited meanwhile */ }
  }
  return count;
}
