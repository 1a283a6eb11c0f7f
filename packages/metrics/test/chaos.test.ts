import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { chaosFault, chaosLatency, seededRandom } from '@breakwater/chaos';
import { createMetrics } from '@breakwater/metrics';
import { series } from './exposition.ts';

describe('bindChaos()', () => {
  it('counts injections by policy and kind, and call durations by outcome', async () => {
    const registry = new Registry();
    const metrics = createMetrics({ registry });
    const faults = chaosFault({ name: 'inventory-faults', injectionRate: 0.5, random: seededRandom(5) });
    const latency = chaosLatency({ name: 'inventory-latency', injectionRate: 1, latency: 0 });
    metrics.bind(faults);
    metrics.bindChaos(latency);
    let injected = 0;
    faults.onInjected(() => injected++);
    for (let i = 0; i < 40; i++) await faults.execute(() => 'ok').catch(() => {});
    await latency.execute(() => 'ok');
    expect(injected).toBeGreaterThan(0);
    expect(await series(registry, 'breakwater_chaos_injections_total')).toEqual({
      'breakwater_chaos_injections_total{kind="fault",policy="inventory-faults"}': injected,
      'breakwater_chaos_injections_total{kind="latency",policy="inventory-latency"}': 1,
    });
    const counts = await series(registry, 'breakwater_policy_call_duration_seconds_count');
    expect(counts['breakwater_policy_call_duration_seconds_count{kind="chaos",outcome="failure",policy="inventory-faults"}']).toBe(injected);
    expect(counts['breakwater_policy_call_duration_seconds_count{kind="chaos",outcome="success",policy="inventory-faults"}']).toBe(40 - injected);
  });
});
