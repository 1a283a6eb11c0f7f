import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Registry } from 'prom-client';
import { fallback, timeout } from '@breakwater/core';
import { useFakeTime } from 'breakwater-test-utils';
import { createMetrics } from '@breakwater/metrics';
import { series } from './exposition.ts';

const DURATION = 'breakwater_policy_call_duration_seconds';

function after<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}

describe('bindTimeout()', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it('counts timeouts and observes durations in seconds', async () => {
    const registry = new Registry();
    const policy = timeout({ name: 'search', duration: 500 });
    createMetrics({ registry }).bindTimeout(policy);
    expect(await series(registry, 'breakwater_timeouts_total')).toEqual({ 'breakwater_timeouts_total{policy="search"}': 0 });

    const fast = policy.execute(() => after(200, 'fast'));
    await vi.advanceTimersByTimeAsync(200);
    await expect(fast).resolves.toBe('fast');

    const slow = policy.execute(({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))));
    const settled = expect(slow).rejects.toThrow(/timed out/);
    await vi.advanceTimersByTimeAsync(500);
    await settled;

    expect(await series(registry, 'breakwater_timeouts_total')).toEqual({ 'breakwater_timeouts_total{policy="search"}': 1 });
    const labels = (outcome: string) => `kind="timeout",outcome="${outcome}",policy="search"`;
    expect(await series(registry, `${DURATION}_sum`)).toEqual({
      [`${DURATION}_sum{${labels('success')}}`]: 0.2,
      [`${DURATION}_sum{${labels('failure')}}`]: 0.5,
    });
    const buckets = await series(registry, `${DURATION}_bucket`);
    const bucket = (outcome: string, le: string) => `${DURATION}_bucket{kind="timeout",le="${le}",outcome="${outcome}",policy="search"}`;
    expect(buckets[bucket('success', '0.1')]).toBe(0);
    expect(buckets[bucket('success', '0.25')]).toBe(1);
    expect(buckets[bucket('failure', '0.25')]).toBe(0);
    expect(buckets[bucket('failure', '0.5')]).toBe(1);
    expect(buckets[bucket('failure', '+Inf')]).toBe(1);
  });

  it('uses the given duration buckets', async () => {
    const registry = new Registry();
    const policy = timeout({ name: 't', duration: 1_000 });
    createMetrics({ registry, durationBuckets: [0.1, 1] }).bindTimeout(policy);
    await policy.execute(() => 'ok');
    expect(Object.keys(await series(registry, `${DURATION}_bucket`))).toEqual([
      `${DURATION}_bucket{kind="timeout",le="0.1",outcome="success",policy="t"}`,
      `${DURATION}_bucket{kind="timeout",le="1",outcome="success",policy="t"}`,
      `${DURATION}_bucket{kind="timeout",le="+Inf",outcome="success",policy="t"}`,
    ]);
  });
});

describe('bindFallback()', () => {
  it('counts replaced failures', async () => {
    const registry = new Registry();
    const policy = fallback({ name: 'prices', fallback: () => 'cached' });
    const binding = createMetrics({ registry }).bindFallback(policy);
    await expect(policy.execute(() => 'fresh')).resolves.toBe('fresh');
    await expect(policy.execute(() => Promise.reject(new Error('down')))).resolves.toBe('cached');
    await expect(policy.execute(() => Promise.reject(new Error('down')))).resolves.toBe('cached');
    binding.dispose();
    await expect(policy.execute(() => Promise.reject(new Error('down')))).resolves.toBe('cached');
    expect(await series(registry, 'breakwater_fallbacks_total')).toEqual({ 'breakwater_fallbacks_total{policy="prices"}': 2 });
    expect(await series(registry, `${DURATION}_count`)).toEqual({
      [`${DURATION}_count{kind="fallback",outcome="success",policy="prices"}`]: 1,
      [`${DURATION}_count{kind="fallback",outcome="failure",policy="prices"}`]: 2,
    });
  });
});
