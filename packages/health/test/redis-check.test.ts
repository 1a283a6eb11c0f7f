import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealth, redisCheck, type Health } from '@breakwater/health';
import { startRedis, type RedisServer } from 'breakwater-test-utils';

// Real redis-server and real time: the timeout is the bound under test, so it is measured.
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const TIMEOUT_MS = 250;
// Scheduling slack on a shared 2-CPU machine; the point is "about the timeout, not seconds".
const SLACK_MS = 250;

function healthFor(client: Parameters<typeof redisCheck>[0]): Health {
  const health = createHealth({ cacheMs: 0, timeoutMs: TIMEOUT_MS, eventLoopLag: false });
  health.register('redis', redisCheck(client));
  health.markStarted();
  return health;
}

async function timedReady(health: Health) {
  const started = performance.now();
  const report = await health.ready();
  return { report, elapsed: performance.now() - started, reading: report.checks['redis:responseTime']?.[0] };
}

describe('redisCheck() against a real redis-server', () => {
  it('passes with the PING round trip in ms', async () => {
    const client = await redis.client();
    const { report, reading } = await timedReady(healthFor(client));
    expect(report.status).toBe('pass');
    expect(reading).toMatchObject({ status: 'pass', componentType: 'datastore', observedUnit: 'ms' });
    expect(reading?.observedValue).toEqual(expect.any(Number));
  });

  it('fails within the check timeout while the server is paused (SIGSTOP), and passes again after it resumes', async () => {
    // The offline queue on, as ioredis ships: a hung server leaves the PING waiting, not failing.
    const client = await redis.client({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    const health = healthFor(client);
    expect((await health.ready()).status).toBe('pass');
    redis.pause();
    try {
      const { report, elapsed, reading } = await timedReady(health);
      expect(report.status).toBe('fail');
      expect(reading?.output).toBe(`timed out after ${TIMEOUT_MS}ms`);
      expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
      expect(elapsed).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      // The PING is still waiting: no second one is queued behind it, and the probe answers at once.
      const again = await timedReady(health);
      expect(again.report.status).toBe('fail');
      expect(again.elapsed).toBeLessThan(SLACK_MS);
    } finally {
      redis.resume();
    }
    await expect.poll(async () => (await health.ready()).status, { timeout: 5_000, interval: 20 }).toBe('pass');
  });

  it('fails within the check timeout once the server is killed, without queueing a PING, and passes after a restart', async () => {
    const client = await redis.client();
    const health = healthFor(client);
    expect((await health.ready()).status).toBe('pass');
    await redis.kill();
    await expect.poll(() => client.status, { timeout: 5_000, interval: 10 }).not.toBe('ready');
    const { report, elapsed, reading } = await timedReady(health);
    expect(report.status).toBe('fail');
    expect(reading?.output).toMatch(/^the client is (reconnecting|connecting|close|end), not ready$|timed out/);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    await redis.restart();
    await expect.poll(async () => (await health.ready()).status, { timeout: 5_000, interval: 20 }).toBe('pass');
  });
});
