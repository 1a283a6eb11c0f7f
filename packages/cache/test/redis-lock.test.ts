import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isL2UnavailableError, redisLoaderLock } from '@breakwater/cache/redis';
import { startRedis, startRedisCluster, type RedisServer } from 'breakwater-test-utils';
import type { Cluster, Redis } from 'ioredis';
import { clusterTarget, countingClock, shiftedClock, singleTarget, timed, waitFor, type RedisTarget } from './redis-helpers.ts';

describe.each([
  ['a single Redis', async () => singleTarget(await startRedis())],
  ['a 3-master Redis Cluster', async () => clusterTarget(await startRedisCluster({ masters: 3 }))],
] as const)('redisLoaderLock() on %s', (_label, start) => {
  let target: RedisTarget;
  let first: Redis | Cluster;
  let second: Redis | Cluster;

  beforeAll(async () => {
    target = await start();
    first = await target.client();
    second = await target.client();
  });
  afterAll(() => target?.stop());
  afterEach(() => target.flush());

  it('one holder at a time, across clients; release lets the next one in', async () => {
    const a = redisLoaderLock(first, { commandTimeoutMs: 2_000 });
    const b = redisLoaderLock(second, { commandTimeoutMs: 2_000 });
    const lease = await a.acquire('report:42', 10_000);
    expect(lease).toBeDefined();
    expect(await b.acquire('report:42', 10_000)).toBeUndefined();
    expect(await a.acquire('report:42', 10_000)).toBeUndefined();
    // Other keys (other slots on a Cluster) are independent.
    const other = await b.acquire('report:43', 10_000);
    expect(other).toBeDefined();
    await lease!.release();
    const next = await b.acquire('report:42', 10_000);
    expect(next).toBeDefined();
    await Promise.all([next!.release(), other!.release()]);
    expect(await target.keys()).toEqual([]);
  });

  it('the lock expires after ttlMs (a crashed holder does not block forever), and a late release leaves the new holder alone', async () => {
    const a = redisLoaderLock(first, { commandTimeoutMs: 2_000 });
    const b = redisLoaderLock(second, { commandTimeoutMs: 2_000 });
    const stale = await a.acquire('k', 50);
    expect(stale).toBeDefined();
    let fresh: Awaited<ReturnType<typeof b.acquire>>;
    await waitFor('the lock to expire', async () => (fresh = await b.acquire('k', 10_000)) !== undefined, 3_000);
    await stale!.release();
    expect(await a.acquire('k', 10_000)).toBeUndefined();
    await fresh!.release();
    expect(await a.acquire('k', 10_000)).toBeDefined();
  });

  it('release() is idempotent: one DEL, the same promise', async () => {
    const a = redisLoaderLock(first, { commandTimeoutMs: 2_000 });
    const lease = (await a.acquire('k', 10_000))!;
    const once = lease.release();
    expect(lease.release()).toBe(once);
    await once;
  });

  it('release still works after SCRIPT FLUSH (NOSCRIPT → EVAL)', async () => {
    const a = redisLoaderLock(first, { commandTimeoutMs: 2_000 });
    const warm = (await a.acquire('warm', 10_000))!;
    await warm.release();
    const lease = (await a.acquire('k', 10_000))!;
    await target.flushScriptsEverywhere();
    await lease.release();
    expect(await target.keys()).toEqual([]);
  });

  it('keys that look hostile stay under the lock prefix', async () => {
    const a = redisLoaderLock(first, { prefix: 'locks:', commandTimeoutMs: 2_000 });
    const hostile = ['{x}', '\r\nDEL y\r\n', '*', 'k'.repeat(10_240)];
    const leases = await Promise.all(hostile.map((key) => a.acquire(key, 10_000)));
    expect(leases.every(Boolean)).toBe(true);
    expect((await target.keys()).filter((key) => !key.startsWith('locks:l:'))).toEqual([]);
    await Promise.all(leases.map((lease) => lease!.release()));
    expect(await target.keys()).toEqual([]);
  });
});

describe('redisLoaderLock() when Redis hangs', () => {
  let server: RedisServer;
  afterEach(() => server?.stop());

  it('acquire rejects within the command timeout, then at once while the breaker is open', async () => {
    server = await startRedis();
    const client = await server.client();
    const time = shiftedClock();
    const timers = countingClock(time.clock);
    const lock = redisLoaderLock(client, { commandTimeoutMs: 250, breakerThreshold: 1, clock: timers.clock });
    // Taken through a patient lock: a loaded machine must not open the breaker before the pause.
    const held = (await redisLoaderLock(client, { commandTimeoutMs: 5_000 }).acquire('k', 10_000))!;
    server.pause();
    const slow = await timed(lock.acquire('k', 1_000));
    expect(isL2UnavailableError(slow.error) && slow.error.reason).toBe('timeout');
    expect(slow.ms).toBeLessThan(450);
    const fast = await timed(lock.acquire('k', 1_000));
    expect(isL2UnavailableError(fast.error) && fast.error.reason).toBe('breaker-open');
    expect(fast.ms).toBeLessThan(50);
    expect(lock.breakerState).toBe('open');
    server.resume();
    await held.release();
    expect(timers.pending).toBe(0);
  });

  it('rejects bad ttlMs', async () => {
    server = await startRedis();
    const lock = redisLoaderLock(await server.client());
    await expect(lock.acquire('k', 0)).rejects.toThrow(/Expected `ttlMs` to be an integer from 1/);
    await expect(lock.acquire('k', 1.5)).rejects.toThrow(RangeError);
  });
});
