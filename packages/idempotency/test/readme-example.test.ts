import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startRedis } from 'breakwater-test-utils';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';

function runExample(env: Record<string, string>, inherit: boolean): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--conditions=@breakwater/source', '--input-type=module-typescript', '-e', example],
      { cwd: packageDir, timeout: 30_000, env: inherit ? { ...process.env, ...env } : env },
      (_, out, err) => resolve({ code: child.exitCode, out, err }),
    );
  });
}

describe('README example', () => {
  it('runs as written, on the memory store and on Redis (REDIS_URL), and exits by itself', async () => {
    expect(example).toContain('idempotency(');
    const redis = await startRedis();
    onTestFinished(() => redis.stop());
    // Both at once: each is a fresh Node process, slow to start on a loaded machine.
    const { REDIS_URL: _, ...withoutRedis } = process.env;
    const results = await Promise.all([runExample(withoutRedis as Record<string, string>, false), runExample({ REDIS_URL: redis.url }, true)]);
    for (const { code, out, err } of results) {
      expect(err).toBe('');
      expect(out.trim()).toBe('false true true');
      expect(code).toBe(0);
    }
    // The Redis run left its record in Redis: the example really used it.
    const keys = (await redis.command('KEYS', 'bw:idem:*')) as string[];
    expect(keys).toHaveLength(1);
  }, 40_000);
});
