import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { circuitBreaker, consecutive, isCircuitOpenError } from '@breakwater/circuit-breaker';
import { useFakeTime } from 'breakwater-test-utils';
import { recordEvents } from './helpers.ts';

/** acquirePermit/recordResult/recordError: the steps of execute, for a caller that runs the call itself. */
describe('permits', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it('opens after the failures recorded with permits, then refuses a permit with the error execute rejects with', async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 2 }), breakDuration: 1_000 });
    for (let i = 0; i < 2; i++) breaker.recordError(breaker.acquirePermit(), new Error('down'), 5);
    expect(breaker.state).toBe('open');
    let refused: unknown;
    try {
      breaker.acquirePermit();
    } catch (error) {
      refused = error;
    }
    expect(isCircuitOpenError(refused)).toBe(true);
    expect(refused).toMatchObject({ state: 'open', retryAfterMs: 1_000 });
    await expect(breaker.execute(() => 'ok')).rejects.toMatchObject({ state: 'open' });
  });

  it('judges a result with handleResult, and a slow one by the duration given', () => {
    const breaker = circuitBreaker({
      strategy: consecutive({ threshold: 2 }),
      slowCallDuration: 100,
      handleResult: (value) => value === 503,
    });
    breaker.recordResult(breaker.acquirePermit(), 503, 1);
    breaker.recordResult(breaker.acquirePermit(), 200, 1);
    expect(breaker.state).toBe('closed');
    breaker.recordResult(breaker.acquirePermit(), 503, 1);
    breaker.recordResult(breaker.acquirePermit(), 200, 150);
    expect(breaker.state).toBe('open');
  });

  it('recordSuccess counts a success without asking handleResult; slowCallDuration still applies', () => {
    const judged: unknown[] = [];
    const breaker = circuitBreaker({
      strategy: consecutive({ threshold: 2 }),
      slowCallDuration: 100,
      handleResult: (value) => (judged.push(value), true),
    });
    const seen = recordEvents(breaker);
    breaker.recordResult(breaker.acquirePermit(), 503, 1);
    breaker.recordSuccess(breaker.acquirePermit(), 1);
    breaker.recordResult(breaker.acquirePermit(), 503, 1);
    expect(breaker.state).toBe('closed');
    expect(judged).toEqual([503, 503]);
    breaker.recordSuccess(breaker.acquirePermit(), 150);
    expect(breaker.state).toBe('open');
    expect(seen).toContain('break:slow');
  });

  it('a cancelled call is neither a success nor a failure, and frees its half-open probe slot', async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }), breakDuration: 1_000 });
    breaker.recordError(breaker.acquirePermit(), new Error('down'), 1);
    await vi.advanceTimersByTimeAsync(1_000);
    const seen = recordEvents(breaker);
    const probe = breaker.acquirePermit();
    expect(breaker.state).toBe('half-open');
    expect(() => breaker.acquirePermit()).toThrow(expect.objectContaining({ state: 'half-open' }));
    const reason = new Error('caller left');
    breaker.recordError(probe, reason, 3, true);
    expect(breaker.state).toBe('half-open');
    breaker.recordResult(breaker.acquirePermit(), 'ok', 2);
    expect(breaker.state).toBe('closed');
    expect(seen).toEqual(['half-open', 'open>half-open', 'rejected:half-open', 'reset', 'half-open>closed']);
  });

  it('a permit from before a transition changes nothing when it settles', async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }), breakDuration: 1_000 });
    const early = breaker.acquirePermit();
    breaker.recordError(breaker.acquirePermit(), new Error('down'), 1);
    expect(breaker.stats).toMatchObject({ state: 'open', opens: 1 });
    breaker.recordError(early, new Error('late'), 1);
    expect(breaker.stats).toMatchObject({ state: 'open', opens: 1, retryAfterMs: 1_000 });
  });

  it('fires onSuccess and onFailure with the durations given', () => {
    const breaker = circuitBreaker();
    const seen: string[] = [];
    breaker.onSuccess(({ duration }) => seen.push(`success ${duration}`));
    breaker.onFailure(({ duration, handled }) => seen.push(`failure ${duration} ${handled}`));
    breaker.recordResult(breaker.acquirePermit(), 'ok', 12);
    breaker.recordError(breaker.acquirePermit(), new Error('down'), 34);
    breaker.recordError(breaker.acquirePermit(), new Error('mine'), 5, true);
    expect(seen).toEqual(['success 12', 'failure 34 true', 'failure 5 false']);
  });
});
