import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { fallback, timeout, wrap } from '@breakwater/core';
import { retry } from '@breakwater/retry';
import { circuitBreaker } from '@breakwater/circuit-breaker';
import { bulkhead } from '@breakwater/bulkhead';
import { createMetrics } from '@breakwater/metrics';
import { cockatielLikeBreaker, cockatielLikeRetry } from './cockatiel-shapes.ts';
import { metricNames, series } from './exposition.ts';

const ALL = [
  'breakwater_bulkhead_executing',
  'breakwater_bulkhead_limit',
  'breakwater_bulkhead_queue_depth',
  'breakwater_bulkhead_rejections_total',
  'breakwater_circuit_rejections_total',
  'breakwater_circuit_state',
  'breakwater_circuit_transitions_total',
  'breakwater_fallbacks_total',
  'breakwater_policy_call_duration_seconds',
  'breakwater_retry_attempts_total',
  'breakwater_retry_giveups_total',
  'breakwater_timeouts_total',
];

describe('bind()', () => {
  it('tells each kind apart by its events', async () => {
    const registry = new Registry();
    const metrics = createMetrics({ registry });
    for (const policy of [
      retry({ name: 'r' }),
      circuitBreaker({ name: 'c' }),
      bulkhead({ name: 'b', capacity: 1 }),
      timeout({ name: 't', duration: 10 }),
      fallback({ name: 'f', fallback: () => 0 }),
    ]) {
      metrics.bind(policy);
    }
    expect(await metricNames(registry)).toEqual(ALL);
    expect(await series(registry, 'breakwater_circuit_state')).toMatchObject({ 'breakwater_circuit_state{policy="c",state="closed"}': 1 });
    expect(await series(registry, 'breakwater_bulkhead_limit')).toEqual({ 'breakwater_bulkhead_limit{policy="b"}': 1 });
  });

  it('binds cockatiel shapes', async () => {
    const registry = new Registry();
    const metrics = createMetrics({ registry });
    const r = cockatielLikeRetry(0);
    metrics.bind(r, { name: 'legacy-retry' });
    metrics.bind(cockatielLikeBreaker(), { name: 'legacy-breaker' });
    await r.execute(() => 1);
    // The retry and success series exist from binding on (at 0), so rate() has a start point.
    expect(await series(registry, 'breakwater_retry_attempts_total')).toEqual({
      'breakwater_retry_attempts_total{outcome="retry",policy="legacy-retry"}': 0,
      'breakwater_retry_attempts_total{outcome="success",policy="legacy-retry"}': 1,
    });
    expect(await series(registry, 'breakwater_circuit_state')).toMatchObject({ 'breakwater_circuit_state{policy="legacy-breaker",state="closed"}': 1 });
  });

  it('binds every policy of a wrap(), and disposes them together', async () => {
    const registry = new Registry();
    const metrics = createMetrics({ registry });
    const f = fallback({ name: 'f', fallback: () => 'fallback' });
    const t = timeout({ name: 't', duration: 1_000 });
    const policy = wrap(f, t);
    const binding = metrics.bind(policy);
    await expect(policy.execute(() => Promise.reject(new Error('x')))).resolves.toBe('fallback');
    binding.dispose();
    await expect(policy.execute(() => Promise.reject(new Error('x')))).resolves.toBe('fallback');
    expect(await series(registry, 'breakwater_fallbacks_total')).toEqual({ 'breakwater_fallbacks_total{policy="f"}': 1 });
    expect(await series(registry, 'breakwater_policy_call_duration_seconds_count')).toEqual({
      'breakwater_policy_call_duration_seconds_count{kind="fallback",outcome="failure",policy="f"}': 1,
      'breakwater_policy_call_duration_seconds_count{kind="timeout",outcome="failure",policy="t"}': 1,
    });
    expect(() => metrics.bind(policy, { name: 'x' })).toThrow('The `name` option of bind() applies to one policy');
  });

  it('works with `using`', async () => {
    const registry = new Registry();
    const metrics = createMetrics({ registry });
    const t = fallback({ name: 'scoped', fallback: () => 0 });
    {
      using _binding = metrics.bind(t);
      await t.execute(() => Promise.reject(new Error('x')));
    }
    await t.execute(() => Promise.reject(new Error('x')));
    expect(await series(registry, 'breakwater_fallbacks_total')).toEqual({ 'breakwater_fallbacks_total{policy="scoped"}': 1 });
  });
});

describe('binding a policy twice', () => {
  it('is refused on one registry until the first binding is disposed', async () => {
    const registry = new Registry();
    const policy = fallback({ name: 'twice', fallback: () => 0 });
    const first = createMetrics({ registry }).bindFallback(policy);
    expect(() => createMetrics({ registry }).bind(policy)).toThrow(
      'This policy is already bound to this registry, and binding it again would count its events twice; dispose the first binding to rebind it',
    );
    await policy.execute(() => Promise.reject(new Error('x')));
    first.dispose();
    createMetrics({ registry }).bind(policy);
    await policy.execute(() => Promise.reject(new Error('x')));
    expect(await series(registry, 'breakwater_fallbacks_total')).toEqual({ 'breakwater_fallbacks_total{policy="twice"}': 2 });
    // Another registry is another set of metrics.
    expect(() => createMetrics({ registry: new Registry() }).bind(policy)).not.toThrow();
  });
});
