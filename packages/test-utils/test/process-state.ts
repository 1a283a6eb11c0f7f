import { readFileSync } from 'node:fs';

/**
 * True while `pid` names a live process. A zombie (exited, not yet reaped by whoever inherited
 * it) counts as gone: it holds no port and runs no code.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) STATE ..."; comm may contain spaces, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Polls until `pid` is gone; rejects after `withinMs` (an upper bound, not a wait). */
export async function expectGone(pid: number, withinMs = 5_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} is still alive after ${withinMs}ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
