import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Registry } from 'prom-client';
import { circuitBreaker, consecutive } from '@breakwater/circuit-breaker';
import { useFakeTime } from 'breakwater-test-utils';
import { createMetrics } from '@breakwater/metrics';
import { series } from './exposition.ts';
import { cockatielLikeBreaker, CockatielState } from './cockatiel-shapes.ts';

const STATE = 'breakwater_circuit_state';
const TRANSITIONS = 'breakwater_circuit_transitions_total';
const REJECTIONS = 'breakwater_circuit_rejections_total';
const DURATION = 'breakwater_policy_call_duration_seconds';

function stateSeries(policy: string, current: string): Record<string, number> {
  return Object.fromEntries(
    ['closed', 'open', 'half-open', 'isolated'].map((state) => [`${STATE}{policy="${policy}",state="${state}"}`, state === current ? 1 : 0]),
  );
}

const boom = () => Promise.reject(new Error('down'));
const ok = () => 'ok';

describe('bindCircuitBreaker()', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it('reports state, transitions and rejections through a full open → half-open → closed cycle', async () => {
    const registry = new Registry();
    const breaker = circuitBreaker({ name: 'inventory', strategy: consecutive({ threshold: 2 }), breakDuration: 1_000 });
    createMetrics({ registry }).bindCircuitBreaker(breaker);
    expect(await series(registry, STATE)).toEqual(stateSeries('inventory', 'closed'));

    await expect(breaker.execute(boom)).rejects.toThrow('down');
    await expect(breaker.execute(boom)).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
    expect(await series(registry, STATE)).toEqual(stateSeries('inventory', 'open'));

    await expect(breaker.execute(ok)).rejects.toThrow();
    await expect(breaker.execute(ok)).rejects.toThrow();
    expect(await series(registry, REJECTIONS)).toEqual({ [`${REJECTIONS}{policy="inventory",state="open"}`]: 2 });

    await vi.advanceTimersByTimeAsync(1_000);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(await series(registry, STATE)).toEqual(stateSeries('inventory', 'closed'));
    expect(await series(registry, TRANSITIONS)).toEqual({
      [`${TRANSITIONS}{from="closed",policy="inventory",to="open"}`]: 1,
      [`${TRANSITIONS}{from="open",policy="inventory",to="half-open"}`]: 1,
      [`${TRANSITIONS}{from="half-open",policy="inventory",to="closed"}`]: 1,
    });
    expect(await series(registry, `${DURATION}_count`)).toEqual({
      [`${DURATION}_count{kind="circuit-breaker",outcome="failure",policy="inventory"}`]: 2,
      [`${DURATION}_count{kind="circuit-breaker",outcome="success",policy="inventory"}`]: 1,
    });
  });

  it('reports isolation and rejections in the isolated state', async () => {
    const registry = new Registry();
    const breaker = circuitBreaker({ name: 'ledger' });
    createMetrics({ registry }).bindCircuitBreaker(breaker);
    const isolation = breaker.isolate();
    await expect(breaker.execute(ok)).rejects.toThrow();
    expect(await series(registry, STATE)).toEqual(stateSeries('ledger', 'isolated'));
    expect(await series(registry, REJECTIONS)).toEqual({ [`${REJECTIONS}{policy="ledger",state="isolated"}`]: 1 });
    isolation.dispose();
    expect(await series(registry, TRANSITIONS)).toEqual({
      [`${TRANSITIONS}{from="closed",policy="ledger",to="isolated"}`]: 1,
      [`${TRANSITIONS}{from="isolated",policy="ledger",to="closed"}`]: 1,
    });
  });

  it('maps cockatiel numeric states and tracks `from` itself', async () => {
    const registry = new Registry();
    const breaker = cockatielLikeBreaker();
    createMetrics({ registry }).bindCircuitBreaker(breaker, { name: 'legacy' });
    breaker.moveTo(CockatielState.Open);
    breaker.moveTo(CockatielState.HalfOpen);
    expect(await series(registry, STATE)).toEqual(stateSeries('legacy', 'half-open'));
    breaker.moveTo(CockatielState.Open);
    breaker.moveTo(42); // not a state: ignored rather than labelled
    expect(await series(registry, TRANSITIONS)).toEqual({
      [`${TRANSITIONS}{from="closed",policy="legacy",to="open"}`]: 1,
      [`${TRANSITIONS}{from="open",policy="legacy",to="half-open"}`]: 1,
      [`${TRANSITIONS}{from="half-open",policy="legacy",to="open"}`]: 1,
    });
  });

  it('dispose removes the listeners and the state series', async () => {
    const registry = new Registry();
    const metrics = createMetrics({ registry });
    const kept = circuitBreaker({ name: 'kept' });
    const dropped = cockatielLikeBreaker();
    metrics.bindCircuitBreaker(kept);
    const binding = metrics.bindCircuitBreaker(dropped, { name: 'dropped' });
    expect(dropped.stateEmitter.size).toBe(1);
    binding.dispose();
    expect(dropped.stateEmitter.size).toBe(0);
    dropped.moveTo(CockatielState.Open);
    expect(await series(registry, STATE)).toEqual(stateSeries('kept', 'closed'));
    expect(await series(registry, TRANSITIONS)).toEqual({});
  });
});
