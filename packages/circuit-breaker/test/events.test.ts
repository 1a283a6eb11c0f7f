import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { circuitBreaker, consecutive, type StateChangeEvent } from '@breakwater/circuit-breaker';
import { useFakeTime } from 'breakwater-test-utils';
import { captureNextTick, controllable, fail, failTimes, flushMicrotasks, recordEvents, settle, succeed } from './helpers.ts';

describe('events', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it('fires each transition once, however many calls pile onto it', async () => {
    const breaker = circuitBreaker({ name: 'db', strategy: consecutive({ threshold: 3 }), breakDuration: 100, halfOpenProbes: 2 });
    const seen = recordEvents(breaker);
    const changes: StateChangeEvent[] = [];
    breaker.onStateChange((event) => changes.push(event));
    // Ten concurrent failures against a threshold of three: one open.
    const stragglers = controllable();
    const calls = Array.from({ length: 10 }, () => settle(breaker.execute(stragglers.fn)));
    for (let i = 0; i < 10; i++) stragglers.reject(new Error('down'), i);
    await Promise.all(calls);
    // Fifty callers at the end of the break: one half-open, two probes, one reset.
    await vi.advanceTimersByTimeAsync(100);
    const probes = controllable();
    const crowd = Array.from({ length: 50 }, () => settle(breaker.execute(probes.fn)));
    await flushMicrotasks();
    expect(breaker.state).toBe('half-open');
    probes.resolve('ok', 0);
    probes.resolve('ok', 1);
    await Promise.all(crowd);
    expect(breaker.state).toBe('closed');
    expect(seen.filter((e) => !e.startsWith('rejected'))).toEqual(['break:error', 'closed>open', 'half-open', 'open>half-open', 'reset', 'half-open>closed']);
    expect(seen.filter((e) => e === 'rejected:half-open')).toHaveLength(48);
    expect(changes).toEqual([
      { policy: 'db', from: 'closed', to: 'open' },
      { policy: 'db', from: 'open', to: 'half-open' },
      { policy: 'db', from: 'half-open', to: 'closed' },
    ]);
  });

  it('reports the state a listener reads as the new one', async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }) });
    const states: string[] = [];
    breaker.onBreak(() => states.push(breaker.state));
    breaker.onStateChange(() => states.push(breaker.state));
    await failTimes(breaker, 1);
    expect(states).toEqual(['open', 'open']);
  });

  it('a throwing listener changes neither the outcome nor the transition; its error surfaces on nextTick', async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }), breakDuration: 100 });
    for (const event of [breaker.onSuccess, breaker.onFailure, breaker.onBreak, breaker.onStateChange, breaker.onRejected, breaker.onHalfOpen, breaker.onReset]) {
      event(() => {
        throw new Error('listener bug');
      });
    }
    const fn = vi.fn(succeed);
    let outcomes: unknown[] = [];
    const deferred = await captureNextTick(async () => {
      outcomes = [
        await settle(breaker.execute(fn)), // success
        await settle(breaker.execute(fail)), // failure → break + state change
        await settle(breaker.execute(fn)), // rejected
      ];
    });
    expect(outcomes).toMatchObject([{ value: 'ok' }, { error: { message: 'upstream down' } }, { error: { code: 'ERR_BREAKWATER_CIRCUIT_OPEN' } }]);
    // A throwing onSuccess listener must not make the call run again (cockatiel would).
    expect(fn).toHaveBeenCalledTimes(1);
    expect(breaker.state).toBe('open');
    expect(deferred).toHaveLength(5); // onSuccess, onFailure, onBreak, onStateChange, onRejected
    for (const rethrow of deferred) expect(rethrow).toThrow('listener bug');

    await vi.advanceTimersByTimeAsync(100);
    const more = await captureNextTick(async () => {
      await breaker.execute(fn);
    });
    expect(breaker.state).toBe('closed');
    expect(more).toHaveLength(5); // onHalfOpen, onStateChange, onSuccess, onReset, onStateChange
  });

  it('builds no payload and reads no clock when nobody listens', async () => {
    const clock = { now: vi.fn(() => 0), epochNow: () => 0, setTimeout: () => 0, clearTimeout: () => {} };
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 5 }), clock });
    await breaker.execute(succeed);
    await settle(breaker.execute(fail));
    expect(clock.now).not.toHaveBeenCalled();
    breaker.onSuccess(() => {});
    await breaker.execute(succeed);
    expect(clock.now).toHaveBeenCalledTimes(2);
  });
});
