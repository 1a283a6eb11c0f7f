import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { circuitBreaker, consecutive, countWindow, timeWindow } from '@breakwater/circuit-breaker';
import { useFakeTime } from 'breakwater-test-utils';
import { fail, failTimes, settle, succeed } from './helpers.ts';

type Outcome = 'S' | 'F';

async function play(breaker: ReturnType<typeof circuitBreaker>, outcomes: string): Promise<void> {
  for (const outcome of outcomes as Iterable<Outcome>) await settle(breaker.execute(outcome === 'S' ? succeed : fail));
}

describe('strategies', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  describe('consecutive', () => {
    it('opens on the threshold-th failure in a row; a success starts the count again', async () => {
      const breaker = circuitBreaker({ strategy: consecutive({ threshold: 3 }) });
      await play(breaker, 'FFSFF');
      expect(breaker.stats).toMatchObject({ state: 'closed', calls: 2, failures: 2, failureRatio: 1 });
      await play(breaker, 'F');
      expect(breaker.state).toBe('open');
    });

    it('defaults to 5, which is also the default strategy', async () => {
      expect(consecutive().threshold).toBe(5);
      const breaker = circuitBreaker();
      expect(breaker.strategy).toMatchObject({ kind: 'consecutive', threshold: 5 });
      await failTimes(breaker, 4);
      expect(breaker.state).toBe('closed');
      await failTimes(breaker, 1);
      expect(breaker.state).toBe('open');
    });
  });

  describe('countWindow', () => {
    it.each([
      // size 4, ratio 0.5, minimumCalls 3
      ['FF', 'closed', 'below the minimum throughput'],
      ['FFF', 'open', 'at the minimum throughput with 3/3 failed'],
      ['SSF', 'closed', '1/3 is below the ratio'],
      ['SSSFF', 'open', 'the oldest S left the window: 2/4 reaches the ratio exactly'],
      ['SSSSF', 'closed', '1/4 is below the ratio'],
      ['FFS', 'closed', 'a success never opens'],
    ])('%s → %s (%s)', async (outcomes, state) => {
      const breaker = circuitBreaker({ strategy: countWindow({ size: 4, failureRatio: 0.5, minimumCalls: 3 }) });
      await play(breaker, outcomes);
      expect(breaker.state).toBe(state);
    });

    it('keeps only the last `size` calls', async () => {
      const breaker = circuitBreaker({ strategy: countWindow({ size: 4, failureRatio: 0.9 }) });
      await play(breaker, 'FFFSSS');
      expect(breaker.stats).toMatchObject({ calls: 4, failures: 1, failureRatio: 0.25 });
    });

    it('defaults to 100 calls, ratio 0.5 and a minimum of the window size', async () => {
      expect(countWindow()).toMatchObject({ size: 100, failureRatio: 0.5, minimumCalls: 100 });
      expect(countWindow({ size: 10 }).minimumCalls).toBe(10);
      const breaker = circuitBreaker({ strategy: countWindow({ size: 10 }) });
      await play(breaker, 'SSSSSFFFF');
      expect(breaker.state).toBe('closed');
      await play(breaker, 'F');
      expect(breaker.state).toBe('open');
    });

    it('compares the ratio without float drift (3 of 30 at 0.1 opens)', async () => {
      const breaker = circuitBreaker({ strategy: countWindow({ size: 30, failureRatio: 0.1 }) });
      await play(breaker, 'S'.repeat(27) + 'FF');
      expect(breaker.state).toBe('closed');
      await play(breaker, 'F');
      expect(breaker.state).toBe('open');
    });
  });

  describe('timeWindow', () => {
    // 1 s in 10 buckets of 100 ms; opens at 50 % once 4 calls are in the window.
    const strategy = timeWindow({ duration: 1_000, buckets: 10, failureRatio: 0.5, minimumCalls: 4 });

    it('waits for the minimum throughput, then opens on the ratio', async () => {
      const breaker = circuitBreaker({ strategy });
      await play(breaker, 'FFF');
      expect(breaker.stats).toMatchObject({ state: 'closed', calls: 3, failures: 3 });
      await play(breaker, 'F');
      expect(breaker.state).toBe('open');
    });

    it('rolls whole buckets off as time passes', async () => {
      const breaker = circuitBreaker({ strategy });
      await vi.advanceTimersByTimeAsync(99); // still in bucket [0, 100)
      await play(breaker, 'FFF');
      await vi.advanceTimersByTimeAsync(500);
      await play(breaker, 'S');
      await vi.advanceTimersByTimeAsync(400); // t = 999: bucket [0, 100) is still the oldest in the window
      expect(breaker.stats).toMatchObject({ calls: 4, failures: 3 });
      await vi.advanceTimersByTimeAsync(1); // t = 1000: it rolls off
      expect(breaker.stats).toMatchObject({ calls: 1, failures: 0 });
      await play(breaker, 'FF');
      expect(breaker.state).toBe('closed'); // 2 of 3: below the minimum throughput
      await play(breaker, 'F');
      expect(breaker.state).toBe('open');
      expect(breaker.stats).toMatchObject({ calls: 4, failures: 3 });
    });

    it('forgets everything after a long quiet spell', async () => {
      const breaker = circuitBreaker({ strategy });
      await play(breaker, 'FFF');
      await vi.advanceTimersByTimeAsync(60_000);
      expect(breaker.stats).toMatchObject({ calls: 0, failures: 0 });
      await play(breaker, 'F');
      expect(breaker.state).toBe('closed');
    });

    it('defaults to 10 s in 10 buckets, ratio 0.5, minimum 20 calls', () => {
      expect(timeWindow()).toMatchObject({ kind: 'time-window', duration: 10_000, buckets: 10, failureRatio: 0.5, minimumCalls: 20 });
    });
  });

  it('can share one strategy between breakers: each gets its own window', async () => {
    const strategy = countWindow({ size: 2 });
    const a = circuitBreaker({ strategy });
    const b = circuitBreaker({ strategy });
    await play(a, 'FF');
    expect(a.state).toBe('open');
    expect(b.stats).toMatchObject({ state: 'closed', calls: 0 });
  });
});
