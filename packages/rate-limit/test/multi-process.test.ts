import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from 'breakwater-test-utils';

const fixture = fileURLToPath(new URL('./fixtures/check-many.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

function child(name: string, count: number): { process: ChildProcess; lines: AsyncIterator<string> } {
  const proc = spawn(process.execPath, ['--conditions=@breakwater/source', fixture, String(redis.port), name, String(count)], {
    cwd: packageDir,
    stdio: ['pipe', 'pipe', 'inherit'],
    timeout: 20_000,
  });
  return { process: proc, lines: createInterface({ input: proc.stdout! })[Symbol.asyncIterator]() };
}

describe('several processes sharing one Redis', () => {
  it('1,000 concurrent requests from 4 processes on a limit of 100 admit exactly 100', async () => {
    const children = Array.from({ length: 4 }, () => child('multi', 250));
    for (const c of children) expect((await c.lines.next()).value).toBe('ready');
    for (const c of children) c.process.stdin!.end('go\n');
    const results = await Promise.all(children.map(async (c) => JSON.parse((await c.lines.next()).value as string) as { admitted: number; sources: string[] }));
    await Promise.all(children.map((c) => (c.process.exitCode === null ? once(c.process, 'exit') : undefined)));
    expect(results.reduce((sum, r) => sum + r.admitted, 0)).toBe(100);
    expect(results.every((r) => r.sources.length === 1 && r.sources[0] === 'store')).toBe(true);
    expect(children.map((c) => c.process.exitCode)).toEqual([0, 0, 0, 0]);
  });
});
