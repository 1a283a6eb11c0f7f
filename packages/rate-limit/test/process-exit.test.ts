import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from 'breakwater-test-utils';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

function run(script: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--conditions=@breakwater/source', '--input-type=module', '-e', script], { cwd: packageDir, timeout: 10_000 }, (error, out, err) =>
      error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
    );
  });
}

describe('process exit', () => {
  it('exits on its own after memory and Redis decisions and timed-out calls: no timer or socket left', async () => {
    const script = `
      import { Redis } from 'ioredis';
      import { rateLimit } from '@breakwater/rate-limit';
      import { redisStore } from '@breakwater/rate-limit/redis';
      const memory = rateLimit({ limits: { quota: 5, windowMs: 60_000 } });
      for (let i = 0; i < 10; i++) await memory.check('k');
      // A server that accepts connections and never answers, like a paused Redis.
      const { createServer } = await import('node:net');
      const sockets = new Set();
      const silent = createServer((socket) => { sockets.add(socket); socket.on('error', () => {}); });
      await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const dead = new Redis({ host: '127.0.0.1', port: silent.address().port, enableReadyCheck: false, maxRetriesPerRequest: null });
      dead.on('error', () => {});
      const stranded = rateLimit({ limits: { quota: 5, windowMs: 60_000 }, store: redisStore(dead, { commandTimeoutMs: 200 }) });
      const early = await Promise.all([stranded.check('k'), stranded.check('k')]);
      dead.disconnect();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
      const client = new Redis({ host: '127.0.0.1', port: ${redis.port} });
      const limiter = rateLimit({ limits: { quota: 5, windowMs: 60_000 }, store: redisStore(client, { commandTimeoutMs: 1_000 }) });
      const later = [];
      for (let i = 0; i < 10; i++) later.push((await limiter.check('k')).source);
      await limiter.close();
      const ended = new Promise((resolve) => client.once('end', resolve));
      await client.quit();
      await ended;
      console.log(JSON.stringify({ early: early.map((d) => d.source), last: later.at(-1), resources: process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap') }));
    `;
    const started = Date.now();
    const out = JSON.parse(await run(script)) as { early: string[]; last: string; resources: string[] };
    expect(out).toEqual({ early: ['memory-fallback', 'memory-fallback'], last: 'store', resources: [] });
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});
