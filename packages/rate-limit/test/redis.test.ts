import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rateLimit } from '@breakwater/rate-limit';
import { createHash } from 'node:crypto';
import { DECIDE_SCRIPT_SHA, gcraScript, redisKey, redisStore } from '@breakwater/rate-limit/redis';
import { startRedis, type RedisServer } from 'breakwater-test-utils';
import { describeConformance, describeSameNameLimiters, T0 } from './conformance.ts';

let redis: RedisServer;
let client: Redis;
let limiters = 0;

beforeAll(async () => {
  redis = await startRedis();
  client = await redis.client();
});
afterAll(async () => {
  await redis?.stop();
});

describeConformance('single Redis', () => {
  let now = T0;
  // A generous bound: 1,000 decisions in flight on a loaded CI machine must not time out here.
  const store = redisStore(client, { now: () => now, commandTimeoutMs: 5_000 });
  return {
    limiter: (options) => rateLimit({ ...options, name: `r${++limiters}`, store }),
    advance: (ms) => void (now += ms),
  };
});

// A fresh prefix per test, so the default limiter name can be used as is; time stands still so
// remaining counts cannot drift while the test runs.
let namespaces = 0;
describeSameNameLimiters('single Redis', () => redisStore(client, { prefix: `bw:rl:same${++namespaces}:`, now: () => T0, commandTimeoutMs: 5_000 }));

/** Calls per command since the last reset, from `INFO commandstats`. */
async function commandCalls(): Promise<Record<string, number>> {
  const info = (await redis.command('INFO', 'commandstats')) as string;
  const calls: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) calls[match[1]!] = Number(match[2]);
  return calls;
}

describe('Redis store', () => {
  it.each([
    ['GCRA, one limit (the lean script)', { limits: { quota: 50, windowMs: 1_000 } }],
    ['GCRA, two limits', { limits: [{ quota: 50, windowMs: 1_000 }, { quota: 1_000, windowMs: 3_600_000 }] }],
    ['sliding window', { algorithm: 'sliding-window', limits: { quota: 50, windowMs: 1_000 } }],
  ] as const)('makes one round trip per decision: one EVALSHA, nothing else (%s)', async (_, options) => {
    const limiter = rateLimit({ ...options, name: `r${++limiters}`, store: redisStore(client, { commandTimeoutMs: 5_000 }) });
    await limiter.check('warm-up');
    await redis.command('CONFIG', 'RESETSTAT');
    for (let i = 0; i < 200; i++) await limiter.check(`k${i % 7}`);
    const calls = await commandCalls();
    // CONFIG|RESETSTAT and INFO come from the fixture's own short-lived connections.
    const fixture = ['config|resetstat', 'info', 'client|setname', 'select', 'ping', 'hello'];
    const ours = Object.entries(calls).filter(([name]) => !fixture.includes(name));
    // Inside the script Redis counts TIME, GET and SET; the network saw EVALSHA only.
    expect(Object.fromEntries(ours)).toEqual({ evalsha: 200, time: 200, get: 200, set: 200 });
  });

  it.each([true, false])('sends concurrent decisions as one command each, batched or not (batch: %s)', async (batch) => {
    const limiter = rateLimit({ name: `r${++limiters}`, limits: { quota: 150, windowMs: 60_000 }, store: redisStore(client, { commandTimeoutMs: 5_000, batch }) });
    await limiter.check('warm-up');
    await redis.command('CONFIG', 'RESETSTAT');
    const decisions = await Promise.all(Array.from({ length: 300 }, (_, i) => limiter.check(`k${i % 2}`)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(300);
    const calls = await commandCalls();
    expect({ evalsha: calls.evalsha, eval: calls.eval, time: calls.time, get: calls.get, set: calls.set }).toEqual({ evalsha: 300, eval: undefined, time: 300, get: 300, set: 300 });
    expect(await limiter.check('k0')).toMatchObject({ allowed: false, source: 'store' });
  });

  it.each([
    ['the lean GCRA script', { quota: 3, windowMs: 60_000 }, createHash('sha1').update(gcraScript(3, 60_000, 1_000, false)).digest('hex')],
    ['the general script', [{ quota: 3, windowMs: 60_000 }, { quota: 5, windowMs: 120_000 }], DECIDE_SCRIPT_SHA],
  ] as const)('recovers from SCRIPT FLUSH with EVAL in the same call (%s)', async (_, limits, sha) => {
    const limiter = rateLimit({ name: `r${++limiters}`, limits, store: redisStore(client, { commandTimeoutMs: 5_000 }) });
    expect((await limiter.check('k')).allowed).toBe(true);
    expect(await client.script('EXISTS', sha)).toEqual([1]);
    await redis.flushScripts();
    expect(await client.script('EXISTS', sha)).toEqual([0]);
    const errors = vi.fn();
    limiter.onStoreError(errors);
    expect(await limiter.check('k')).toMatchObject({ allowed: true, remaining: 1, source: 'store' });
    expect(await client.script('EXISTS', sha)).toEqual([1]);
    expect(await limiter.check('k')).toMatchObject({ allowed: true, remaining: 0, source: 'store' });
    expect(errors).not.toHaveBeenCalled();
  });

  it('gives every key a TTL just past the moment its state stops mattering', async () => {
    const name = `r${++limiters}`;
    const limiter = rateLimit({ name, limits: [{ quota: 10, windowMs: 2_000 }, { quota: 100, windowMs: 30_000 }], store: redisStore(client, { commandTimeoutMs: 5_000 }) });
    await limiter.check('ttl');
    const pttl = await client.pttl(redisKey('bw:rl:', limiter, 'ttl'));
    // GCRA: one unit of the 30 s limit takes 300 ms to restore; 1 s of margin.
    expect(pttl).toBeGreaterThan(1_000);
    expect(pttl).toBeLessThanOrEqual(1_300);
    const keys = await client.keys(`bw:rl:${name}:*`);
    expect(keys).toHaveLength(1);
    for (const key of keys) expect(await client.pttl(key)).toBeGreaterThan(0);
  });

  it('uses Redis time: app clocks skewed by ±5 s do not over-admit', async () => {
    const limiter = rateLimit({ name: `r${++limiters}`, limits: { quota: 10, windowMs: 60_000 }, algorithm: 'fixed-window', store: redisStore(client, { commandTimeoutMs: 5_000 }) });
    let admitted = 0;
    for (const skew of [5_000, -5_000, 0, 5_000]) {
      vi.useFakeTimers({ now: Date.now() + skew, toFake: ['Date', 'performance'] });
      try {
        for (let i = 0; i < 10; i++) if ((await limiter.check('skewed')).allowed) admitted++;
      } finally {
        vi.useRealTimers();
      }
    }
    // Fixed windows of a minute: at most one edge can fall inside the test.
    expect(admitted).toBeGreaterThanOrEqual(10);
    expect(admitted).toBeLessThanOrEqual(20);
    const second = rateLimit({ name: `r${++limiters}`, limits: { quota: 10, windowMs: 3_600_000 }, store: redisStore(client, { commandTimeoutMs: 5_000 }) });
    let gcraAdmitted = 0;
    for (const skew of [5_000, -5_000, 0]) {
      vi.useFakeTimers({ now: Date.now() + skew, toFake: ['Date', 'performance'] });
      try {
        for (let i = 0; i < 10; i++) if ((await second.check('skewed')).allowed) gcraAdmitted++;
      } finally {
        vi.useRealTimers();
      }
    }
    expect(gcraAdmitted).toBe(10);
  });

  it('the same scenario with app time injected does over-admit (what Redis TIME prevents)', async () => {
    let skew = 0;
    const store = redisStore(client, { now: () => Date.now() + skew, commandTimeoutMs: 5_000 });
    const limiter = rateLimit({ name: `r${++limiters}`, limits: { quota: 10, windowMs: 10_000 }, store });
    let admitted = 0;
    for (const s of [-5_000, 5_000]) {
      skew = s;
      for (let i = 0; i < 10; i++) if ((await limiter.check('skewed')).allowed) admitted++;
    }
    expect(admitted).toBeGreaterThan(10);
  });

  it('keeps hostile keys inside the prefix, their own hash tag and their own state', async () => {
    const name = `r${++limiters}`;
    const limiter = rateLimit({ name, limits: { quota: 1, windowMs: 60_000 }, store: redisStore(client, { prefix: 'app:rl:', commandTimeoutMs: 5_000 }) });
    const hostile = ['{', '}', '}{', '{a}', 'a}b{c', '*', 'a*', '\r\nFLUSHALL\r\n', 'x'.repeat(10_240), `${'x'.repeat(10_239)}y`, '', ' ', '%7B', '#', '\u{1F600}', '\uD800'];
    for (const key of hostile) expect((await limiter.check(key)).allowed).toBe(true);
    for (const key of hostile) expect((await limiter.check(key)).allowed).toBe(false);
    const keys = await client.keys('*');
    const ours = keys.filter((k) => k.startsWith(`app:rl:${name}:`));
    expect(ours).toHaveLength(hostile.length);
    expect(keys.filter((k) => !k.startsWith('bw:rl:') && !k.startsWith('app:rl:'))).toEqual([]);
    for (const key of ours) {
      expect(key).toMatch(/^app:rl:r\d+:[0-9a-f]{12}:\{[^{}\s*]+\}$/);
      expect(key.length).toBeLessThan(300);
    }
    expect(await client.dbsize()).toBeGreaterThan(0);
  });
});
