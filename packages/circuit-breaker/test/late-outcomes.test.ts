import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { circuitBreaker, consecutive } from '@breakwater/circuit-breaker';
import { useFakeTime } from 'breakwater-test-utils';
import { controllable, failTimes, flushMicrotasks, recordEvents, settle, succeed } from './helpers.ts';

const BREAK = 1_000;

/** Reliability CB-4 (opossum #385): outcomes of calls from before a transition change nothing. */
describe('late outcomes', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it('a failure from a call started before the open neither re-opens, extends the break nor emits a second onBreak', async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 2 }), breakDuration: BREAK });
    const slow = controllable();
    const late = settle(breaker.execute(slow.fn));
    await failTimes(breaker, 2);
    const seen = recordEvents(breaker);
    await vi.advanceTimersByTimeAsync(600);
    slow.reject(new Error('late failure'));
    expect((await late).error).toMatchObject({ message: 'late failure' });
    expect(breaker.stats).toMatchObject({ state: 'open', retryAfterMs: 400, opens: 1 });
    expect(seen).toEqual([]);
    // The break ends when it was always going to.
    await vi.advanceTimersByTimeAsync(400);
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('many late failures arriving during half-open do not re-open the breaker', async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }), breakDuration: BREAK });
    const stragglers = controllable();
    const late = Array.from({ length: 5 }, () => settle(breaker.execute(stragglers.fn)));
    await failTimes(breaker, 1);
    await vi.advanceTimersByTimeAsync(BREAK);
    const probe = controllable();
    const probing = breaker.execute(probe.fn);
    await flushMicrotasks();
    expect(breaker.state).toBe('half-open');
    for (let i = 0; i < 5; i++) stragglers.reject(new Error('late'), i);
    await Promise.all(late);
    expect(breaker.stats).toMatchObject({ state: 'half-open', probesRunning: 1 });
    probe.resolve('ok');
    await probing;
    expect(breaker.state).toBe('closed');
  });

  it('a late success does not count as a probe success', async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }), breakDuration: BREAK, halfOpenProbes: 2 });
    const straggler = controllable();
    const late = settle(breaker.execute(straggler.fn));
    await failTimes(breaker, 1);
    await vi.advanceTimersByTimeAsync(BREAK);
    await breaker.execute(succeed);
    straggler.resolve('late ok');
    await late;
    expect(breaker.stats).toMatchObject({ state: 'half-open', probesSucceeded: 1 });
  });

  it('late failures after the breaker closed again do not count in the new window', async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 2 }), breakDuration: BREAK });
    const stragglers = controllable();
    const late = [settle(breaker.execute(stragglers.fn)), settle(breaker.execute(stragglers.fn))];
    await failTimes(breaker, 2);
    await vi.advanceTimersByTimeAsync(BREAK);
    await breaker.execute(succeed);
    expect(breaker.state).toBe('closed');
    stragglers.reject(new Error('late'), 0);
    stragglers.reject(new Error('late'), 1);
    await Promise.all(late);
    expect(breaker.stats).toMatchObject({ state: 'closed', failures: 0 });
  });

  it('calls in flight when the breaker is isolated change nothing when they settle', async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }) });
    const inFlight = controllable();
    const running = settle(breaker.execute(inFlight.fn));
    const isolation = breaker.isolate();
    inFlight.reject(new Error('late'));
    await running;
    expect(breaker.state).toBe('isolated');
    isolation.dispose();
    expect(breaker.stats).toMatchObject({ state: 'closed', failures: 0 });
  });
});
