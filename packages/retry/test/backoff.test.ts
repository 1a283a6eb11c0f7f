import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConstantBackoff, IterableBackoff } from 'cockatiel';
import { retry, seededRandom, type RetryOptions } from '@breakwater/retry';
import { pendingTimers, useFakeTime } from 'breakwater-test-utils';
import { flaky, settle } from './helpers.ts';

/** Runs a call that always fails through a policy and returns the delays it waited. */
async function delaysOf(options: RetryOptions): Promise<number[]> {
  const delays: number[] = [];
  const policy = retry(options);
  policy.onRetry(({ delayMs }) => delays.push(delayMs));
  const running = settle(policy.execute(flaky(Infinity, 'x').fn));
  await vi.advanceTimersByTimeAsync(100_000_000);
  await running;
  return delays;
}

describe('backoff', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it.each([
    ['exponential', { factor: 2 }, [100, 200, 400, 800, 1_000]],
    ['exponential', { factor: 1.5 }, [100, 150, 225, 337.5, 506.25]],
    ['linear', {}, [100, 200, 300, 400, 500]],
    ['constant', {}, [100, 100, 100, 100, 100]],
  ] as const)('%s %o without jitter', async (backoff, extra, expected) => {
    expect(await delaysOf({ backoff, ...extra, maxRetries: 5, baseDelay: 100, maxDelay: 1_000, jitter: 'none' })).toEqual(expected);
  });

  it('full jitter stays in [0, cap) and equal jitter in [cap/2, cap) over many seeded samples', async () => {
    const caps = [100, 200, 400, 800, 1_600, 2_000, 2_000, 2_000];
    const options = { maxRetries: 8, baseDelay: 100, maxDelay: 2_000 } as const;
    for (let seed = 0; seed < 50; seed++) {
      const full = await delaysOf({ ...options, jitter: 'full', random: seededRandom(seed) });
      const equal = await delaysOf({ ...options, jitter: 'equal', random: seededRandom(seed) });
      full.forEach((delay, i) => {
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(caps[i]!);
      });
      equal.forEach((delay, i) => {
        expect(delay).toBeGreaterThanOrEqual(caps[i]! / 2);
        expect(delay).toBeLessThan(caps[i]!);
      });
    }
  });

  it('decorrelated jitter stays in [base, min(maxDelay, 3 × previous)) over many seeded samples', async () => {
    let reachedCap = false;
    for (let seed = 0; seed < 50; seed++) {
      const delays = await delaysOf({ maxRetries: 10, baseDelay: 100, maxDelay: 5_000, jitter: 'decorrelated', random: seededRandom(seed) });
      expect(delays).toHaveLength(10);
      let previous = 100;
      for (const delay of delays) {
        expect(delay).toBeGreaterThanOrEqual(100);
        expect(delay).toBeLessThanOrEqual(Math.min(5_000, previous * 3));
        if (delay === 5_000) reachedCap = true;
        previous = delay;
      }
    }
    expect(reachedCap).toBe(true);
  });

  it('full and equal jitter draw exactly as documented', async () => {
    const draws = [0, 0.25, 0.999];
    expect(await delaysOf({ maxRetries: 3, baseDelay: 1_000, jitter: 'full', random: () => draws.shift()! })).toEqual([0, 500, 3_996]);
    const draws2 = [0, 0.25, 0.999];
    expect(await delaysOf({ maxRetries: 3, baseDelay: 1_000, jitter: 'equal', random: () => draws2.shift()! })).toEqual([500, 1_250, 3_998]);
  });

  it('stays at zero with a zero baseDelay, however many retries', async () => {
    const delays = await delaysOf({ maxRetries: 100, baseDelay: 0, factor: 100 });
    expect(delays).toHaveLength(100);
    expect(new Set(delays)).toEqual(new Set([0]));
  });

  it('repeats the same jittered delays for the same seed', async () => {
    const a = await delaysOf({ maxRetries: 6, random: seededRandom(42) });
    const b = await delaysOf({ maxRetries: 6, random: seededRandom(42) });
    const c = await delaysOf({ maxRetries: 6, random: seededRandom(43) });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('seededRandom stays in [0, 1) and rejects a non-integer seed', () => {
    const random = seededRandom(1);
    const values = Array.from({ length: 10_000 }, random);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    // Roughly uniform: the mean of 10k draws is near 0.5.
    expect(values.reduce((sum, v) => sum + v, 0) / values.length).toBeCloseTo(0.5, 1);
    expect(() => seededRandom(1.5)).toThrow('Expected `seed` to be an integer, got `1.5` (number)');
  });

  it('calls a custom backoff with the retry number, the previous delay and the failure, capping its answer', async () => {
    const calls: unknown[][] = [];
    const delays = await delaysOf({
      maxRetries: 3,
      maxDelay: 250,
      backoff: (attempt, previousDelay, reason) => {
        calls.push([attempt, previousDelay, 'error' in reason && (reason.error as Error).message]);
        return previousDelay + 100;
      },
    });
    expect(delays).toEqual([100, 200, 250]);
    expect(calls).toEqual([
      [1, 0, 'boom 1'],
      [2, 100, 'boom 2'],
      [3, 200, 'boom 3'],
    ]);
  });

  it('uses cockatiel backoffs as they are, without adding jitter', async () => {
    expect(await delaysOf({ maxRetries: 3, backoff: new ConstantBackoff(70) })).toEqual([70, 70, 70]);
    expect(await delaysOf({ maxRetries: 4, backoff: new IterableBackoff([10, 20, 30]) })).toEqual([10, 20, 30, 30]);
  });

  it.each([Number.NaN, -1, '10'])('rejects the call loudly when a custom backoff returns %o', async (bad) => {
    const { fn } = flaky(1, 'ok');
    const running = retry({ backoff: () => bad as number }).execute(fn);
    await expect(running).rejects.toThrow('Expected `backoff` to return a delay in ms from 0 and up');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(pendingTimers()).toBe(0);
  });
});
