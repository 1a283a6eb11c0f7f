import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { idempotency, isIdempotencyLeaseLostError, isIdempotencyUnavailableError, type IdempotencyOutcomeEvent, type StoreErrorEvent } from '@breakwater/idempotency';
import { redisStore } from '@breakwater/idempotency/redis';
import { activeResources, deferred, grownResources, Inbox, manualClock, startRedis, type RedisServer } from 'breakwater-test-utils';
import { Redis } from 'ioredis';
import { keysUnder, redisHarness } from './support/harness.ts';
import { storeConformance } from './support/store-conformance.ts';

let redis: RedisServer;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis();
  client = await redis.client();
});
afterAll(async () => {
  await redis.stop();
});

describe('redisStore() conformance', () => {
  storeConformance(() => redisHarness(client));
});

describe('redisStore()', () => {
  it('keeps every key under the prefix, with the hashed record id as hash tag and a TTL on each', async () => {
    const h = redisHarness(client);
    const idem = idempotency({ store: h.store, leaseMs: 5_000, ttlMs: 60_000 });
    const hostile = ['{tag}', 'a}b{c', '*?[x]', 'with space', '~'.repeat(255)];
    for (const key of hostile) await idem.run(key, 'fp', async () => key, { scope: '}{\r\n' });
    const gate = deferred();
    const running = idem.run('in-flight', 'fp', async () => gate.promise.then(() => 1));
    // Let the claim land.
    await expect(idem.run('in-flight', 'fp', async () => 2)).rejects.toThrow();
    const keys = await keysUnder(client, h.prefix);
    expect(keys).toHaveLength(hostile.length + 2);
    for (const key of keys) {
      expect(key).toMatch(new RegExp(`^${h.prefix.replace(/[-:]/g, '\\$&')}\\{[A-Za-z0-9_-]{43}\\}:(lease|record)$`));
      const ttl = await client.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(key.endsWith(':lease') ? 5_000 : 60_000);
    }
    gate.resolve();
    await running;
    await idem.close();
  });

  it('leaves no timer behind: command timeouts and renewals are cleared once calls settle', async () => {
    const h = redisHarness(client);
    const idem = idempotency({ store: redisStore(client, { prefix: h.prefix, commandTimeoutMs: 5_000 }), leaseMs: 60_000 });
    const before = activeResources();
    for (let i = 0; i < 20; i++) await idem.run(`k${i}`, 'fp', async (context) => context.step('s', () => i));
    await Promise.all(Array.from({ length: 20 }, (_, i) => idem.run(`k${i}`, 'fp', async () => -1)));
    await expect(idem.run('k0', 'other', async () => 1)).rejects.toThrow();
    expect(grownResources(before, activeResources())).toEqual({});
    await idem.close();
  });

  it('falls back to EVAL when the scripts were flushed', async () => {
    const h = redisHarness(client);
    const idem = idempotency({ store: h.store });
    await idem.run('k1', 'fp', async () => 1);
    await redis.flushScripts();
    expect(await idem.run('k1', 'fp', async () => 2)).toEqual({ value: 1, replayed: true });
    expect(await idem.run('k2', 'fp', async () => 2)).toEqual({ value: 2, replayed: false });
    await idem.close();
  });

  it('validates its options', () => {
    expect(() => redisStore(client, { prefix: 'a{b}:' })).toThrow('Expected `prefix` to hold neither `{` nor `}`');
    expect(() => redisStore(client, { commandTimeoutMs: 0 })).toThrow('Expected `commandTimeoutMs` to be a number from 1 to 2147483647, got `0` (number)');
    expect(() => redisStore({} as never)).toThrow('Expected `client` to be an object with evalsha(), eval()');
    expect(() => redisStore(client, { timeout: 1 } as never)).toThrow('Unknown option `timeout` for redisStore()');
    // A renewal that may take longer than two thirds of the lease could outlast it.
    expect(() => idempotency({ store: redisStore(client, { commandTimeoutMs: 2_001 }), leaseMs: 3_000 })).toThrow(
      "Expected the store's command timeout (2001ms) to be at most the renewal margin of `leaseMs` (2000ms: two thirds of 3000)",
    );
    expect(() => idempotency({ store: redisStore(client, { commandTimeoutMs: 2_000 }), leaseMs: 3_000 })).not.toThrow();
  });
});

describe('redisStore() when Redis is down', () => {
  it('fails closed: IdempotencyUnavailableError with retryAfterMs, nothing executed; recovers after a restart', async () => {
    const own = await startRedis();
    onTestFinished(() => own.stop());
    const ownClient = await own.client();
    const idem = idempotency({ store: redisStore(ownClient, { commandTimeoutMs: 500 }), retryAfterMs: 2_000 });
    const outcomes: IdempotencyOutcomeEvent['outcome'][] = [];
    const storeErrors: StoreErrorEvent[] = [];
    idem.onOutcome((e) => outcomes.push(e.outcome));
    idem.onStoreError((e) => storeErrors.push(e));
    await own.kill();
    let calls = 0;
    const error = await idem.run('k', 'fp', async () => ++calls).catch((e: unknown) => e);
    expect(isIdempotencyUnavailableError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_BREAKWATER_IDEMPOTENCY_UNAVAILABLE', retryAfterMs: 2_000 });
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(calls).toBe(0);
    expect(outcomes).toEqual(['unavailable']);
    expect(storeErrors.map((e) => [e.name, e.operation])).toEqual([['idempotency', 'claim']]);
    await own.restart();
    // The test client reconnects within ~100 ms of the restart.
    await waitReady(ownClient);
    expect(await idem.run('k', 'fp', async () => ++calls)).toEqual({ value: 1, replayed: false });
    await idem.close();
  });

  it('bounds every command: a hung Redis (SIGSTOP) with an offline-queueing client answers unavailable after commandTimeoutMs', async () => {
    const own = await startRedis();
    onTestFinished(() => own.stop());
    // ioredis defaults: offline queue on, 20 retries per request; without our bound this would hang.
    const queueing = new Redis({ host: own.host, port: own.port, lazyConnect: true });
    queueing.on('error', () => {});
    onTestFinished(() => queueing.disconnect());
    await queueing.connect();
    const idem = idempotency({ store: redisStore(queueing, { commandTimeoutMs: 200 }) });
    own.pause();
    let calls = 0;
    const started = performance.now();
    const error = await idem.run('k', 'fp', async () => ++calls).catch((e: unknown) => e);
    const took = performance.now() - started;
    own.resume();
    expect(isIdempotencyUnavailableError(error)).toBe(true);
    expect(((error as Error).cause as { code?: string }).code).toBe('ERR_BREAKWATER_IDEMPOTENCY_STORE_TIMEOUT');
    expect(calls).toBe(0);
    expect(took).toBeGreaterThanOrEqual(150);
    expect(took).toBeLessThan(5_000);
    await idem.close();
  });

  it('a holder whose renewals fail until the lease ends loses the claim (its signal aborts)', async () => {
    const own = await startRedis();
    onTestFinished(() => own.stop());
    const ownClient = await own.client();
    const time = manualClock();
    const idem = idempotency({ store: redisStore(ownClient, { commandTimeoutMs: 300 }), clock: time.clock, leaseMs: 3_000 });
    onTestFinished(() => idem.close());
    const lost: unknown[] = [];
    const storeErrors = new Inbox<string>();
    idem.onLeaseLost((e) => lost.push(e));
    idem.onStoreError((e) => storeErrors.push(e.operation));
    const gate = deferred();
    const started = deferred<AbortSignal>();
    const running = idem.run('k', 'fp', async (context) => {
      started.resolve(context.signal);
      await gate.promise;
      return 'done';
    });
    const signal = await started.promise;
    await own.kill();
    // Renewals at 1 000 and 2 000 ms of the holder's clock fail; at 3 000 ms the lease ends.
    for (let i = 0; i < 2; i++) {
      expect(lost).toEqual([]);
      time.advance(1_000);
      expect(await storeErrors.next()).toBe('renew');
    }
    expect(lost).toEqual([]);
    time.advance(1_000);
    expect(lost).toEqual([{ name: 'idempotency', reason: 'unreachable' }]);
    expect(signal.aborted).toBe(true);
    expect(isIdempotencyLeaseLostError(signal.reason)).toBe(true);
    expect(time.pending).toBe(0);
    gate.resolve();
    // The outcome cannot be stored (Redis is gone); it is still the caller's.
    expect(await running).toEqual({ value: 'done', replayed: false });
    expect(await storeErrors.next()).toBe('complete');
  });
});

async function waitReady(c: Redis): Promise<void> {
  if (c.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`client not ready: ${c.status}`)), 5_000);
    c.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
