import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { circuitBreaker, consecutive } from '@breakwater/circuit-breaker';
import { useFakeTime } from 'breakwater-test-utils';
import { failTimes, settle, succeed } from './helpers.ts';

describe('break duration', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it('opens for breakDuration by default, measured on the clock, with no timer', async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }) });
    await failTimes(breaker, 1);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(29_999);
    expect((await settle(breaker.execute(succeed))).error).toMatchObject({ retryAfterMs: 1 });
    await vi.advanceTimersByTimeAsync(1);
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
  });

  it('lengthens each re-open by the backoff factor up to max, and starts over once closed', async () => {
    const breaker = circuitBreaker({
      strategy: consecutive({ threshold: 1 }),
      breakDuration: 1_000,
      breakDurationBackoff: { factor: 2, max: 5_000 },
    });
    const breaks: (number | undefined)[] = [];
    breaker.onBreak(({ breakDurationMs }) => breaks.push(breakDurationMs));
    await failTimes(breaker, 1);
    for (let i = 0; i < 4; i++) {
      const wait = breaker.stats.retryAfterMs!;
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect((await settle(breaker.execute(succeed))).error).toMatchObject({ state: 'open' });
      await vi.advanceTimersByTimeAsync(1);
      await failTimes(breaker, 1); // the probe fails
    }
    expect(breaks).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
    expect(breaker.stats.opens).toBe(5);

    await vi.advanceTimersByTimeAsync(5_000);
    await breaker.execute(succeed);
    expect(breaker.stats).toMatchObject({ state: 'closed', opens: 0 });
    await failTimes(breaker, 1);
    expect(breaks.at(-1)).toBe(1_000);
    expect(breaker.stats.retryAfterMs).toBe(1_000);
  });

  it('defaults the backoff to factor 2 and max 10 × breakDuration', async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }), breakDuration: 100, breakDurationBackoff: {} });
    const breaks: (number | undefined)[] = [];
    breaker.onBreak(({ breakDurationMs }) => breaks.push(breakDurationMs));
    await failTimes(breaker, 1);
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(breaker.stats.retryAfterMs!);
      await failTimes(breaker, 1);
    }
    expect(breaks).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('resets the backoff when an isolation ends', async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }), breakDuration: 100, breakDurationBackoff: { factor: 3 } });
    await failTimes(breaker, 1);
    await vi.advanceTimersByTimeAsync(100);
    await failTimes(breaker, 1);
    expect(breaker.stats).toMatchObject({ opens: 2, retryAfterMs: 300 });
    breaker.isolate().dispose();
    await failTimes(breaker, 1);
    expect(breaker.stats).toMatchObject({ opens: 1, retryAfterMs: 100 });
  });
});
