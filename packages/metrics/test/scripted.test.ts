import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createMetrics } from '@breakwater/metrics';
import { retry } from '@breakwater/retry';
import { circuitBreaker, consecutive, isCircuitOpenError } from '@breakwater/circuit-breaker';
import { rateLimit } from '@breakwater/rate-limit';
import { createCache } from '@breakwater/cache';
import { idempotency, memoryStore, isIdempotencyMismatchError } from '@breakwater/idempotency';
import { createHealth } from '@breakwater/health';
import { parseExposition } from './exposition.ts';

/** A scripted run of every package bound to one registry; the exposition is parsed back. */
async function scriptedRun() {
  const registry = new Registry();
  const metrics = createMetrics({ registry });

  const payments = retry({ name: 'payments', maxRetries: 3, baseDelay: 0 });
  const breaker = circuitBreaker({ name: 'bank', strategy: consecutive({ threshold: 2 }), breakDuration: 60_000 });
  const limiter = rateLimit({ name: 'api', limits: { quota: 3, windowMs: 60_000 } });
  const cache = createCache<string>({ name: 'products' });
  const once = idempotency({ name: 'charges', store: memoryStore() });
  const health = createHealth();
  for (const bindable of [payments, breaker, limiter, cache, once, health]) metrics.bind(bindable);

  let calls = 0;
  await payments.execute(() => {
    if (++calls < 3) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    return 'ok';
  });
  for (let i = 0; i < 2; i++) await breaker.execute(() => Promise.reject(new Error('bank down'))).catch(() => {});
  expect(await breaker.execute(() => 'never').catch((error: unknown) => isCircuitOpenError(error))).toBe(true);
  for (let i = 0; i < 5; i++) await limiter.check('203.0.113.7');
  await cache.getOrLoad('sku-1', async () => 'kettle');
  await cache.getOrLoad('sku-1', async () => 'kettle');
  await once.run('key-1', 'fp-a', async () => ({ charged: 10 }));
  await once.run('key-1', 'fp-a', async () => ({ charged: 10 }));
  expect(await once.run('key-1', 'fp-b', async () => ({ charged: 99 })).catch((error: unknown) => isIdempotencyMismatchError(error))).toBe(true);
  health.register('db', () => true);
  health.register('queue', () => false);
  health.markStarted();
  await health.ready();

  return { registry, limiter, cache, close: () => Promise.all([cache.close(), once.close?.(), health.close?.()]) };
}

describe('metrics of a scripted run, parsed back from the exposition', () => {
  it('show the expected series and values for retries, breaker transitions, rate limits, cache, idempotency and health', async () => {
    const run = await scriptedRun();
    const samples = parseExposition(await run.registry.metrics());
    expect(samples).toMatchObject({
      'breakwater_retry_attempts_total{outcome="retry",policy="payments"}': 2,
      'breakwater_retry_attempts_total{outcome="success",policy="payments"}': 1,
      'breakwater_circuit_transitions_total{from="closed",policy="bank",to="open"}': 1,
      'breakwater_circuit_rejections_total{policy="bank",state="open"}': 1,
      'breakwater_circuit_state{policy="bank",state="open"}': 1,
      'breakwater_circuit_state{policy="bank",state="closed"}': 0,
      'breakwater_rate_limit_decisions_total{decision="allowed",limiter="api",source="store"}': 3,
      'breakwater_rate_limit_decisions_total{decision="denied",limiter="api",source="store"}': 2,
      'breakwater_rate_limit_degraded{limiter="api"}': 0,
      'breakwater_cache_requests_total{cache="products",result="miss",tier="l1"}': 1,
      'breakwater_cache_requests_total{cache="products",result="hit",tier="l1"}': 1,
      'breakwater_cache_loads_total{cache="products",outcome="success"}': 1,
      'breakwater_cache_load_duration_seconds_count{cache="products",outcome="success"}': 1,
      'breakwater_idempotency_requests_total{idempotency="charges",outcome="executed"}': 1,
      'breakwater_idempotency_requests_total{idempotency="charges",outcome="replayed"}': 1,
      'breakwater_idempotency_requests_total{idempotency="charges",outcome="mismatch"}': 1,
      'breakwater_health_check_status{check="db"}': 1,
      'breakwater_health_check_status{check="queue"}': 0,
      'breakwater_health_check_duration_seconds_count{check="db"}': 1,
    });
    await run.close();
  });

  it('10,000 distinct keys through the limiter and the cache add no series', async () => {
    const run = await scriptedRun();
    const before = Object.keys(parseExposition(await run.registry.metrics())).sort();
    for (let i = 0; i < 10_000; i++) {
      await run.limiter.check(`client-${i}`);
      await run.cache.getOrLoad(`sku-${i}`, async () => `product ${i}`);
    }
    const after = parseExposition(await run.registry.metrics());
    expect(Object.keys(after).sort()).toEqual(before);
    expect(after['breakwater_rate_limit_decisions_total{decision="allowed",limiter="api",source="store"}']).toBe(3 + 10_000);
    const text = await run.registry.metrics();
    expect(text).not.toContain('client-');
    expect(text).not.toContain('sku-');
    await run.close();
  });
});
