// Runs a command with a bounded time and collects its output; a small concurrency pool.
import { execFile } from 'node:child_process';
import { OUTPUT_LIMIT, type RunResult } from './model.ts';

export function run(command: string, args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        const extra = error !== null && typeof error.code !== 'number' ? `\n${error.message}` : '';
        resolve({ code, stdout: String(stdout), stderr: String(stderr) + extra });
      },
    );
  });
}

export const clip = (text: string): string => (text.length > OUTPUT_LIMIT ? `${text.slice(0, OUTPUT_LIMIT)}\n… (${text.length - OUTPUT_LIMIT} more characters)` : text);
export const output = (result: RunResult): string => clip(`${result.stdout}\n${result.stderr}`.trim());

/** Runs `tasks` with at most `limit` in flight. */
export async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
    }),
  );
}
