import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '@breakwater/core';
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

  it('decides a tick\'s GCRA decisions of one limiter in one call (up to 128), each still one GET and one SET', async () => {
    const limiter = rateLimit({ name: `r${++limiters}`, limits: { quota: 150, windowMs: 60_000 }, store: redisStore(client, { commandTimeoutMs: 5_000 }) });
    await limiter.check('warm-up');
    await redis.command('CONFIG', 'RESETSTAT');
    const decisions = await Promise.all(Array.from({ length: 300 }, (_, i) => limiter.check(`k${i % 2}`)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(300);
    // Each key took 150 units in order: the remaining counts are the sequential ones.
    expect(decisions.filter((_, i) => i % 2 === 0).map((d) => d.remaining)).toEqual(Array.from({ length: 150 }, (_, i) => 149 - i));
    const calls = await commandCalls();
    // 128 + 128 + 44 decisions, one TIME per call.
    expect({ evalsha: calls.evalsha, eval: calls.eval, time: calls.time, get: calls.get, set: calls.set }).toEqual({ evalsha: 3, eval: undefined, time: 3, get: 300, set: 300 });
    expect(await limiter.check('k0')).toMatchObject({ allowed: false, source: 'store' });
  });

  it('batches decisions made in separate callbacks of one event-loop turn, as a server\'s requests are', async () => {
    const limiter = rateLimit({ name: `r${++limiters}`, limits: { quota: 150, windowMs: 60_000 }, store: redisStore(client, { commandTimeoutMs: 5_000 }) });
    await limiter.check('warm-up');
    await redis.command('CONFIG', 'RESETSTAT');
    // Each callback runs alone, with the microtask queue drained between them (as for two
    // sockets' data events): a flush at the end of a callback would send five calls.
    const decisions = await new Promise<Promise<unknown>[]>((resolve) => {
      const made: Promise<unknown>[] = [];
      for (let i = 0; i < 5; i++) setImmediate(() => void made.push(limiter.check(`k${i}`)));
      setImmediate(() => resolve(made));
    });
    await Promise.all(decisions);
    const calls = await commandCalls();
    expect({ evalsha: calls.evalsha, time: calls.time, get: calls.get, set: calls.set }).toEqual({ evalsha: 1, time: 1, get: 5, set: 5 });
  });

  it('bounds a tick\'s decisions with one timer, cleared once the last has settled; a paused Redis fails them all at the bound', async () => {
    const timers = new Map<unknown, () => void>();
    let created = 0;
    const clock = {
      ...systemClock,
      setTimeout: (callback: () => void) => {
        const handle = { id: ++created };
        timers.set(handle, callback);
        return handle;
      },
      clearTimeout: (handle: unknown) => void timers.delete(handle),
    };
    const limiter = rateLimit({ name: `r${++limiters}`, limits: { quota: 1_000, windowMs: 60_000 }, store: redisStore(client, { clock, commandTimeoutMs: 5_000 }) });
    const decisions = await Promise.all(Array.from({ length: 100 }, (_, i) => limiter.check(`k${i % 3}`)));
    expect(decisions.every((d) => d.allowed && d.source === 'store')).toBe(true);
    expect(created).toBe(1);
    expect(timers.size).toBe(0);

    const server = await startRedis();
    try {
      const paused = await server.client();
      const outage = rateLimit({ name: `r${++limiters}`, limits: { quota: 1_000, windowMs: 60_000 }, outage: 'fail-open', store: redisStore(paused, { clock, commandTimeoutMs: 5_000 }) });
      await outage.check('warm-up');
      created = 0;
      server.pause();
      const waiting = Array.from({ length: 10 }, () => outage.check('k'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(created).toBe(1);
      for (const fire of [...timers.values()]) fire();
      const failed = await Promise.all(waiting);
      expect(failed.every((d) => d.source === 'fail-open')).toBe(true);
    } finally {
      server.resume();
      await server.stop();
    }
  });

  it('sends every decision as its own call with batch: false, and general-script decisions one call each', async () => {
    const alone = rateLimit({ name: `r${++limiters}`, limits: { quota: 150, windowMs: 60_000 }, store: redisStore(client, { commandTimeoutMs: 5_000, batch: false }) });
    const general = rateLimit({ name: `r${++limiters}`, algorithm: 'sliding-window', limits: { quota: 150, windowMs: 60_000 }, store: redisStore(client, { commandTimeoutMs: 5_000 }) });
    await alone.check('warm-up');
    await general.check('warm-up');
    await redis.command('CONFIG', 'RESETSTAT');
    const decisions = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? alone : general).check(`k${i % 4}`)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(200);
    const calls = await commandCalls();
    expect({ evalsha: calls.evalsha, eval: calls.eval, time: calls.time, get: calls.get, set: calls.set }).toEqual({ evalsha: 200, eval: undefined, time: 200, get: 200, set: 200 });
  });

  it('decides the other decisions of a call when one key holds another type, and fails only that one', async () => {
    const name = `r${++limiters}`;
    const limiter = rateLimit({ name, limits: { quota: 10, windowMs: 60_000 }, store: redisStore(client, { commandTimeoutMs: 5_000 }) });
    const errors = vi.fn();
    limiter.onStoreError(errors);
    await client.hset(redisKey('bw:rl:', limiter, 'wrong'), 'f', 'v');
    const [first, wrong, last] = await Promise.all([limiter.check('right'), limiter.check('wrong'), limiter.check('right')]);
    expect(first).toMatchObject({ allowed: true, remaining: 9, source: 'store' });
    expect(last).toMatchObject({ allowed: true, remaining: 8, source: 'store' });
    expect(wrong.source).toBe('memory-fallback');
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0]![0].error.message).toMatch(/^WRONGTYPE/);
    expect(await client.type(redisKey('bw:rl:', limiter, 'wrong'))).toBe('hash');
  });

  it('reads a TAT stored as text by earlier versions and writes it back packed; earlier versions read the packed value as empty', async () => {
    const limiter = rateLimit({ name: `r${++limiters}`, limits: { quota: 3, windowMs: 60_000 }, store: redisStore(client, { now: () => T0, commandTimeoutMs: 5_000 }) });
    const key = redisKey('bw:rl:', limiter, 'old');
    // Two of three units used, as an earlier version stored it (%.17g text).
    await client.set(key, String(T0 + 40_000), 'PX', 60_000);
    expect(await limiter.check('old')).toMatchObject({ allowed: true, remaining: 0, resetMs: 60_000 });
    const packed = await client.getBuffer(key);
    expect(packed).toHaveLength(8);
    expect(packed!.readDoubleLE(0)).toBe(T0 + 60_000);
    expect(await limiter.check('old')).toMatchObject({ allowed: false, retryAfterMs: 20_000 });
    // What the earlier script did with the value: `tonumber`, which finds no number in it.
    expect(await client.eval("return tostring(tonumber(redis.call('GET', KEYS[1])))", 1, key)).toBe('nil');
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

  it('gives GCRA keys a TTL past their TAT by one to two margins, set again only when the TAT leaves its margin-long slot', async () => {
    const lean = rateLimit({ name: `r${++limiters}`, limits: { quota: 100, windowMs: 30_000 }, store: redisStore(client, { commandTimeoutMs: 5_000 }) });
    await lean.check('ttl');
    // One unit takes 300 ms to restore; the key outlives that by more than the 1 s margin, by at most 2 s
    // (less what passed since the write).
    const pttl = await client.pttl(redisKey('bw:rl:', lean, 'ttl'));
    expect(pttl).toBeGreaterThan(1_000);
    expect(pttl).toBeLessThanOrEqual(2_300);

    // With `now` injected the margin is 600 s, and T0 starts a slot.
    let now = T0;
    const limiter = rateLimit({ name: `r${++limiters}`, limits: { quota: 10, windowMs: 60_000 }, store: redisStore(client, { now: () => now, commandTimeoutMs: 5_000 }) });
    const key = redisKey('bw:rl:', limiter, 'slots');
    await limiter.check('slots');
    // TAT T0 + 6 s, in the slot [T0, T0 + 600 s): the key lives until T0 + 1,200 s.
    expect(await client.pttl(key)).toBeGreaterThan(1_190_000);
    now = T0 + 500_000;
    await limiter.check('slots');
    // TAT T0 + 506 s, same slot: TTL kept (a new one would be 700 s).
    expect(await client.pttl(key)).toBeGreaterThan(1_190_000);
    now = T0 + 595_000;
    await limiter.check('slots');
    // TAT T0 + 601 s, next slot: until T0 + 1,800 s, 1,205 s from now.
    expect(await client.pttl(key)).toBeGreaterThan(1_200_000);
    expect(await client.pttl(key)).toBeLessThanOrEqual(1_205_000);
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
