import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

/**
 * Last-resort cleanup for fixtures that own OS resources: processes still registered when the
 * test process exits get SIGKILL, and temp dirs are removed, even when a test failed before its
 * `stop()`. Internal to the package (not exported from index.ts).
 *
 * The registry lives on `globalThis` under a `Symbol.for` key, so a module graph evaluated twice
 * in one process (vitest isolation) still installs a single `exit` listener. `exit` does not run
 * when the process dies from an unhandled signal; Ctrl-C reaches the children anyway because
 * they share the terminal's process group.
 */
interface Registry {
  readonly children: Set<ChildProcess>;
  readonly dirs: Set<string>;
}

const KEY = Symbol.for('breakwater.test-utils.exit-cleanup');

function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  let found = holder[KEY];
  if (found === undefined) {
    const created: Registry = { children: new Set(), dirs: new Set() };
    process.on('exit', () => {
      for (const child of created.children) {
        try {
          child.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
      for (const dir of created.dirs) rmSync(dir, { recursive: true, force: true });
    });
    holder[KEY] = created;
    found = created;
  }
  return found;
}

/** Kills `child` with SIGKILL at process exit unless it exited first (it unregisters itself then). */
export function killOnExit(child: ChildProcess): void {
  const { children } = registry();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Removes `dir` at process exit unless {@link forgetDir} was called after removing it. */
export function removeOnExit(dir: string): void {
  registry().dirs.add(dir);
}

export function forgetDir(dir: string): void {
  registry().dirs.delete(dir);
}
