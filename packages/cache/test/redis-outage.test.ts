import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isL2UnavailableError, redisTier, type BreakerOpenEvent, type RedisErrorEvent, type RedisTier } from '@breakwater/cache/redis';
import { startRedis, startRedisCluster, type RedisServer } from 'breakwater-test-utils';
import type { Redis } from 'ioredis';
import { countingClock, shiftedClock, timed, waitFor } from './redis-helpers.ts';

const TIMEOUT_MS = 250;
/** Scheduling slack on a shared, loaded 2-CPU machine; a hang would blow far past it. */
const MARGIN_MS = 200;
/** "At once": no round trip, no timer; far below the timeout even when the machine is loaded. */
const AT_ONCE_MS = 50;
/** For calls that must succeed: a loaded machine must not turn them into timeouts. */
const PATIENT_MS = 5_000;
const OPEN_MS = 5_000;

function entry(value: string) {
  const now = Date.now();
  return { value, freshUntil: now + 60_000, staleUntil: now + 120_000, tags: ['t'] };
}

function reason(error: unknown): string | undefined {
  return isL2UnavailableError(error) ? error.reason : undefined;
}

describe('redisTier() when Redis fails', () => {
  let server: RedisServer;
  let client: Redis;
  let tier: RedisTier;
  /** Same client, patient: seeds data and checks it, never the subject of a timing assertion. */
  let patient: RedisTier;
  let time: ReturnType<typeof shiftedClock>;
  let timers: ReturnType<typeof countingClock>;
  let errors: RedisErrorEvent[];
  let opens: BreakerOpenEvent[];
  let closes: number;

  beforeEach(async () => {
    server = await startRedis();
    client = await server.client();
    time = shiftedClock();
    timers = countingClock(time.clock);
    tier = redisTier(client, { commandTimeoutMs: TIMEOUT_MS, breakerThreshold: 3, breakerOpenMs: OPEN_MS, clock: timers.clock });
    patient = redisTier(client, { commandTimeoutMs: PATIENT_MS, clock: timers.clock });
    errors = [];
    opens = [];
    closes = 0;
    tier.onError((event) => errors.push(event));
    tier.onBreakerOpen((event) => opens.push(event));
    tier.onBreakerClose(() => closes++);
  });
  afterEach(async () => {
    await Promise.all([tier.close(), patient.close()]);
    await server.stop();
    // Every command timer was cleared or fired: nothing keeps the process alive.
    expect(timers.pending).toBe(0);
  });

  it('paused (SIGSTOP): each call answers within the timeout, then the open breaker answers at once', async () => {
    await patient.set('k', entry('v'));
    server.pause();
    for (const call of [() => tier.get('k'), () => tier.set('k', entry('w')), () => tier.delete(['k'])] as (() => Promise<unknown>)[]) {
      const outcome = await timed(call());
      expect(reason(outcome.error)).toBe('timeout');
      // It waited for the timer rather than failing fast. Only half of it is asserted: libuv
      // schedules timers from the loop's cached time, which under load lags performance.now().
      expect(outcome.ms).toBeGreaterThanOrEqual(TIMEOUT_MS / 2);
      expect(outcome.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    }
    expect(opens).toHaveLength(1);
    expect(opens[0]!.failures).toBe(3);
    expect(tier.breakerState).toBe('open');

    const calls: Promise<unknown>[] = [tier.get('k'), tier.set('k', entry('w')), tier.delete(['k']), tier.deleteTags(['t']), tier.deletePrefix('')];
    for (const call of calls) {
      const outcome = await timed(call);
      expect(outcome.ms).toBeLessThan(AT_ONCE_MS);
      expect(reason(outcome.error)).toBe('breaker-open');
      expect((outcome.error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(OPEN_MS - 1_000);
    }
    expect(errors.map((event) => event.reason)).toEqual([...Array(3).fill('timeout'), ...Array(5).fill('breaker-open')]);
    expect(errors.every((event) => event.error instanceof Error)).toBe(true);
  });

  it('paused under concurrent load: every call in flight answers within the timeout, and the breaker opens once', async () => {
    server.pause();
    const started = performance.now();
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => tier.get(`k${i}`).catch((e: unknown) => e)));
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    expect(outcomes.every((error) => reason(error) === 'timeout')).toBe(true);
    expect(opens).toHaveLength(1);
    const next = await timed(tier.get('k'));
    expect(reason(next.error)).toBe('breaker-open');
    expect(next.ms).toBeLessThan(AT_ONCE_MS);
  });

  it('after the open duration one probe goes through while the others are shed; its success closes the breaker', async () => {
    // A patient tier: the probe must succeed after SIGCONT even on a loaded machine.
    const probing = redisTier(client, { commandTimeoutMs: 2_000, breakerThreshold: 1, breakerOpenMs: OPEN_MS, clock: timers.clock });
    let closed = 0;
    probing.onBreakerClose(() => closed++);
    try {
      await patient.set('k', entry('v'));
      server.pause();
      expect(reason(await probing.get('k').catch((e: unknown) => e))).toBe('timeout');
      expect(probing.breakerState).toBe('open');
      server.resume();
      // Still open: the open duration has not passed on the breaker's clock.
      expect(reason(await probing.get('k').catch((e: unknown) => e))).toBe('breaker-open');

      time.advance(OPEN_MS);
      expect(probing.breakerState).toBe('half-open');
      const probe = probing.get('k');
      const shed = await timed(probing.get('k'));
      expect(reason(shed.error)).toBe('breaker-open');
      expect((shed.error as { retryAfterMs: number }).retryAfterMs).toBe(0);
      expect(shed.ms).toBeLessThan(AT_ONCE_MS);
      expect((await probe)?.value).toBe('v');
      expect(probing.breakerState).toBe('closed');
      expect(closed).toBe(1);
      expect((await probing.get('k'))?.value).toBe('v');
    } finally {
      await probing.close();
    }
  });

  it('a probe that times out reopens the breaker for another open duration', async () => {
    server.pause();
    for (let i = 0; i < 3; i++) await tier.get('k').catch(() => {});
    time.advance(OPEN_MS);
    const probe = await timed(tier.get('k'));
    expect(reason(probe.error)).toBe('timeout');
    expect(probe.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    expect(opens).toHaveLength(2);
    expect(tier.breakerState).toBe('open');
    expect(reason(await tier.get('k').catch((e: unknown) => e))).toBe('breaker-open');
    expect(closes).toBe(0);
  });

  it('reply errors (WRONGTYPE) reject but do not open the breaker', async () => {
    const strict = redisTier(client, { commandTimeoutMs: PATIENT_MS, breakerThreshold: 1 });
    await client.lpush('bw:cache:e:list', 'x');
    for (let i = 0; i < 5; i++) expect(reason(await strict.get('list').catch((e: unknown) => e))).toBe('command-failed');
    expect(strict.breakerState).toBe('closed');
    await strict.close();
  });

  it('killed: once the client knows, calls are refused at once (never parked in the offline queue); restart recovers', async () => {
    // ioredis' defaults: an offline queue that would hold commands through 20 reconnect attempts.
    const queueing = await server.client({ enableOfflineQueue: true, maxRetriesPerRequest: 20 });
    // Patient: the refusals below must come from the connection state, not from a timer.
    const own = redisTier(queueing, { commandTimeoutMs: PATIENT_MS, clock: timers.clock });
    try {
      await own.set('k', entry('v'));
      await server.kill();
      await waitFor('the client to notice', () => queueing.status !== 'ready');
      for (const call of [() => own.get('k'), () => own.set('k', entry('late')), () => own.deletePrefix('')] as (() => Promise<unknown>)[]) {
        const outcome = await timed(call());
        expect(reason(outcome.error)).toBe('not-connected');
        expect(outcome.ms).toBeLessThan(AT_ONCE_MS);
      }
      await server.restart();
      await waitFor('the client to reconnect', () => queueing.status === 'ready');
      // The refused SET never reached the new server: it was not queued for later.
      expect(await own.get('k')).toBeUndefined();
      await own.set('k', entry('again'));
      expect((await own.get('k'))?.value).toBe('again');
    } finally {
      await own.close();
    }
  });
});

describe('redisTier() on a Cluster with one master paused', () => {
  it('a key on the paused master answers within the timeout; the others keep working until the breaker opens', async () => {
    const cluster = await startRedisCluster({ masters: 3 });
    try {
      const client = await cluster.client();
      const time = shiftedClock();
      const timers = countingClock(time.clock);
      const tier = redisTier(client, { commandTimeoutMs: TIMEOUT_MS, breakerThreshold: 2, clock: timers.clock });
      const keys = Array.from({ length: 60 }, (_, index) => `key:${index}`);
      // Seeded through a patient tier: a fresh Cluster client opens its node connections lazily.
      const seeding = redisTier(client, { commandTimeoutMs: PATIENT_MS });
      await Promise.all(keys.map((key) => seeding.set(key, entry(key))));
      await seeding.close();
      // The keys node 0 owns, and one it does not.
      const onFirst = ((await cluster.nodes[0]!.command('KEYS', 'bw:cache:e:*')) as string[]).map((key) => key.slice('bw:cache:e:'.length));
      const elsewhere = keys.find((key) => !onFirst.includes(key))!;
      expect(onFirst.length).toBeGreaterThan(0);

      cluster.nodes[0]!.pause();
      const stuck = await timed(tier.get(onFirst[0]!));
      expect(reason(stuck.error)).toBe('timeout');
      expect(stuck.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      expect((await tier.get(elsewhere))?.value).toBe(elsewhere);
      // Consecutive failures: the success above reset the count, so two more open it.
      await tier.get(onFirst[0]!).catch(() => {});
      expect(tier.breakerState).toBe('closed');
      await tier.get(onFirst[0]!).catch(() => {});
      expect(tier.breakerState).toBe('open');
      const shed = await timed(tier.get(elsewhere));
      expect(reason(shed.error)).toBe('breaker-open');
      expect(shed.ms).toBeLessThan(AT_ONCE_MS);
      cluster.nodes[0]!.resume();
      await tier.close();
      expect(timers.pending).toBe(0);
    } finally {
      await cluster.stop();
    }
  });
});
