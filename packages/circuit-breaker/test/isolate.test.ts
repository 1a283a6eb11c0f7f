import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IsolatedCircuitError, isBrokenCircuitError } from '@breakwater/core';
import { CircuitIsolatedError, circuitBreaker, consecutive } from '@breakwater/circuit-breaker';
import { useFakeTime } from 'breakwater-test-utils';
import { controllable, failTimes, flushMicrotasks, recordEvents, settle, succeed } from './helpers.ts';

describe('isolate()', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it('rejects every call without running it until the last of several handles is disposed', async () => {
    const breaker = circuitBreaker({ name: 'payments' });
    const seen = recordEvents(breaker);
    const fn = vi.fn(succeed);
    const first = breaker.isolate();
    const second = breaker.isolate();
    const error = (await settle(breaker.execute(fn))).error;
    expect(error).toBeInstanceOf(CircuitIsolatedError);
    expect(error).toBeInstanceOf(IsolatedCircuitError);
    expect(isBrokenCircuitError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_BREAKWATER_CIRCUIT_ISOLATED', policy: 'payments', state: 'isolated', retryAfterMs: undefined });

    first.dispose();
    first.dispose(); // a second dispose of the same handle must not release the other
    expect(breaker.state).toBe('isolated');
    await expect(breaker.execute(fn)).rejects.toBeInstanceOf(CircuitIsolatedError);
    expect(fn).not.toHaveBeenCalled();

    second.dispose();
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(fn)).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(seen).toEqual(['break:isolated', 'closed>isolated', 'rejected:isolated', 'rejected:isolated', 'reset', 'isolated>closed']);
  });

  it('works with `using`', () => {
    const breaker = circuitBreaker();
    {
      using _isolation = breaker.isolate();
      expect(breaker.state).toBe('isolated');
    }
    expect(breaker.state).toBe('closed');
  });

  it('holds an open breaker past its break, and a released isolation closes it with an empty window', async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 3 }), breakDuration: 100 });
    await failTimes(breaker, 2);
    const isolation = breaker.isolate();
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(breaker.execute(succeed)).rejects.toBeInstanceOf(CircuitIsolatedError);
    isolation.dispose();
    expect(breaker.stats).toMatchObject({ state: 'closed', failures: 0 });
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('closed');
  });

  it('ends a half-open period: its running probe decides nothing', async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }), breakDuration: 100 });
    await failTimes(breaker, 1);
    await vi.advanceTimersByTimeAsync(100);
    const probe = controllable();
    const probing = settle(breaker.execute(probe.fn));
    await flushMicrotasks();
    const isolation = breaker.isolate();
    probe.resolve('ok');
    await probing;
    expect(breaker.state).toBe('isolated');
    isolation.dispose();
    expect(breaker.state).toBe('closed');
  });
});
