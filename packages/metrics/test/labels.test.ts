import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { fallback, timeout } from '@breakwater/core';
import { createMetrics, OTHER } from '@breakwater/metrics';
import { series } from './exposition.ts';

describe('label safety', () => {
  it('10,000 distinct policy names add at most maxPolicies series plus "other"', async () => {
    const registry = new Registry();
    const metrics = createMetrics({ registry });
    const policies = Array.from({ length: 10_000 }, (_, i) => fallback({ name: `tenant-${i}`, fallback: () => 'x' }));
    for (const policy of policies) metrics.bindFallback(policy);
    for (const policy of policies) await policy.execute(() => Promise.reject(new Error('down')));

    const fallbacks = await series(registry, 'breakwater_fallbacks_total');
    expect(Object.keys(fallbacks)).toHaveLength(101);
    expect(fallbacks['breakwater_fallbacks_total{policy="tenant-0"}']).toBe(1);
    expect(fallbacks['breakwater_fallbacks_total{policy="tenant-99"}']).toBe(1);
    expect(fallbacks['breakwater_fallbacks_total{policy="tenant-100"}']).toBeUndefined();
    expect(fallbacks[`breakwater_fallbacks_total{policy="${OTHER}"}`]).toBe(9_900);
    // The histogram is capped the same way: 101 policy values × 2 outcomes at most.
    const counts = await series(registry, 'breakwater_policy_call_duration_seconds_count');
    expect(Object.keys(counts)).toHaveLength(101);
    expect(counts['breakwater_policy_call_duration_seconds_count{kind="fallback",outcome="failure",policy="other"}']).toBe(9_900);
  });

  it('the cap is per metric and shared by metrics objects on one registry; a known name keeps its label', async () => {
    const registry = new Registry();
    createMetrics({ registry, maxPolicies: 2 }).bindTimeout(timeout({ name: 'a', duration: 10 }));
    const second = createMetrics({ registry, maxPolicies: 2 });
    second.bindTimeout(timeout({ name: 'b', duration: 10 }));
    second.bindTimeout(timeout({ name: 'c', duration: 10 }));
    second.bindTimeout(timeout({ name: 'a', duration: 10 }));
    second.bindFallback(fallback({ name: 'c', fallback: () => 1 }));
    expect(await series(registry, 'breakwater_timeouts_total')).toEqual({
      'breakwater_timeouts_total{policy="a"}': 0,
      'breakwater_timeouts_total{policy="b"}': 0,
      'breakwater_timeouts_total{policy="other"}': 0,
    });
    expect(await series(registry, 'breakwater_fallbacks_total')).toEqual({ 'breakwater_fallbacks_total{policy="c"}': 0 });
  });
});
