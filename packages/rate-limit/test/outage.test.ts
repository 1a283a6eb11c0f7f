import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRateLimitUnavailableError, isRateLimitStoreTimeoutError, rateLimit, type OutageMode, type RateLimitDecision } from '@breakwater/rate-limit';
import { redisStore } from '@breakwater/rate-limit/redis';
import { startRedis, watchProcessProblems, type RedisServer } from 'breakwater-test-utils';

const TIMEOUT_MS = 150;
/** What "answered within the command timeout" may exceed it by on a loaded 2-CPU machine. */
const MARGIN_MS = 250;

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

type Answer = { ms: number; decision?: RateLimitDecision; error?: unknown };

async function timed(run: () => Promise<RateLimitDecision>): Promise<Answer> {
  const started = performance.now();
  try {
    const decision = await run();
    return { ms: performance.now() - started, decision };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

function ready(client: Redis): Promise<void> {
  return client.status === 'ready' ? Promise.resolve() : new Promise((resolve) => client.once('ready', () => resolve()));
}

/**
 * Moves the limiter past its cooldown until a probe reaches the server again. Normally the first
 * probe does; on a machine loaded enough that one probe (behind the backlog of a resumed server,
 * or EVALSHA, NOSCRIPT, EVAL on a fresh one) exceeds the command timeout, the next cooldown gets
 * another. Bounded.
 */
async function recovered(limiter: { check(key: string): Promise<RateLimitDecision> }, cooldown: () => void, key: string): Promise<RateLimitDecision> {
  let decision: RateLimitDecision | undefined;
  for (let attempt = 0; attempt < 10 && decision?.source !== 'store'; attempt++) {
    cooldown();
    decision = await limiter.check(key).catch(() => undefined);
  }
  return decision!;
}

function expectMode(mode: OutageMode, answers: Answer[], fallbackQuota: number): void {
  if (mode === 'fail-closed') {
    for (const a of answers) {
      expect(isRateLimitUnavailableError(a.error)).toBe(true);
      expect((a.error as { code: string }).code).toBe('ERR_BREAKWATER_RATE_LIMIT_UNAVAILABLE');
    }
    return;
  }
  const decisions = answers.map((a) => a.decision!);
  expect(decisions.every((d) => d.source === mode)).toBe(true);
  const allowed = decisions.filter((d) => d.allowed).length;
  expect(allowed).toBe(mode === 'fail-open' ? answers.length : Math.min(fallbackQuota, answers.length));
}

describe.each(['memory-fallback', 'fail-open', 'fail-closed'] as const)('outage: %s', (mode) => {
  it('Redis paused, killed and restarted mid-load: every request answered in time, as documented', async () => {
    const problems = watchProcessProblems();
    // ioredis defaults: the offline queue holds commands for as long as the reconnect takes.
    const client = await redis.client({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    let now = 0;
    const clock = { now: () => now, epochNow: () => now, setTimeout: () => 0, clearTimeout: () => {} };
    const limiter = rateLimit({
      name: `outage-${mode}`,
      limits: { quota: 10, windowMs: 60_000 },
      outage: mode,
      instances: 2,
      recoverAfterMs: 1_000,
      clock,
      store: redisStore(client, { commandTimeoutMs: TIMEOUT_MS }),
    });
    const events: string[] = [];
    const storeErrors: unknown[] = [];
    limiter.onDegraded((e) => events.push(`degraded:${e.mode}`));
    limiter.onRecovered(() => events.push('recovered'));
    limiter.onStoreError((e) => storeErrors.push(e.error));
    const load = (n: number, key = 'k') => Promise.all(Array.from({ length: n }, () => timed(() => limiter.check(key))));

    expect((await limiter.check('k')).source).toBe('store');

    // Paused: 20 requests in flight when it stops answering; each times out on its own.
    redis.pause();
    const paused = await load(20);
    for (const a of paused) expect(a.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    expect(Math.min(...paused.map((a) => a.ms))).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expectMode(mode, paused, 5);
    expect(events).toEqual([`degraded:${mode}`]);
    expect(storeErrors).toHaveLength(20);
    expect(storeErrors.every(isRateLimitStoreTimeoutError)).toBe(true);

    // Degraded: no store call at all until the cooldown ends, so no waiting.
    const during = await load(10);
    for (const a of during) expect(a.ms).toBeLessThan(MARGIN_MS);
    expect(storeErrors).toHaveLength(20);

    // Cooldown over, still paused: one call probes (and waits), the others do not.
    now += 1_000;
    const probing = await load(10);
    expect(probing.filter((a) => a.ms >= TIMEOUT_MS - 5)).toHaveLength(1);
    for (const a of probing) expect(a.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    expect(storeErrors).toHaveLength(21);

    redis.resume();
    expect((await recovered(limiter, () => void (now += 1_000), 'after-pause')).source).toBe('store');
    expect(events).toEqual([`degraded:${mode}`, 'recovered']);

    // Killed: the connection drops; requests never wait on the reconnect.
    await redis.kill();
    const killed = await load(20, 'k2');
    for (const a of killed) expect(a.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    expectMode(mode, killed, 5);
    expect(events).toEqual([`degraded:${mode}`, 'recovered', `degraded:${mode}`]);

    // Restarted (empty script cache): the next probe after the cooldown recovers.
    await redis.restart();
    await ready(client);
    const back = await recovered(limiter, () => void (now += 1_000), 'k3');
    // Counted in the fresh server (9 left), or twice if a timed-out probe ran there after all.
    expect(back).toMatchObject({ allowed: true, source: 'store' });
    expect(back.remaining).toBeGreaterThanOrEqual(8);
    expect(events).toEqual([`degraded:${mode}`, 'recovered', `degraded:${mode}`, 'recovered']);
    client.disconnect();
    expect(problems.stop()).toEqual({ unhandled: [], warnings: [] });
  });
});

describe('outage with the offline queue disabled', () => {
  it('fails over at once when the client refuses commands while disconnected', async () => {
    const client = await redis.client();
    let now = 0;
    const clock = { now: () => now, epochNow: () => now, setTimeout: () => 0, clearTimeout: () => {} };
    const limiter = rateLimit({ name: 'offline', limits: { quota: 2, windowMs: 60_000 }, clock, store: redisStore(client, { commandTimeoutMs: 5_000 }) });
    await redis.kill();
    const answer = await timed(() => limiter.check('k'));
    expect(answer.decision).toMatchObject({ allowed: true, source: 'memory-fallback' });
    expect(answer.ms).toBeLessThan(MARGIN_MS);
    await redis.restart();
    await ready(client);
    expect((await recovered(limiter, () => void (now += 1_000), 'k')).source).toBe('store');
    client.disconnect();
  });
});
