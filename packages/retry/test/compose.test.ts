import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConsecutiveBreaker, circuitBreaker, handleAll, wrap as cockatielWrap } from 'cockatiel';
import { TimeoutError, isBrokenCircuitError, timeout, wrap } from '@breakwater/core';
import { retry } from '@breakwater/retry';
import { abortListenerCount, pendingTimers, useFakeTime } from 'breakwater-test-utils';
import { settle } from './helpers.ts';

/** Hangs until its signal aborts, then rejects with the reason: a well-behaved slow call. */
const honoursSignal = ({ signal }: { signal: AbortSignal }) =>
  new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));

describe('retry() composed with other policies', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it('retries attempts that an inner timeout cut short, and the function sees the attempt number', async () => {
    const attempts: number[] = [];
    const policy = wrap(retry({ jitter: 'none', baseDelay: 50 }), timeout(100));
    const running = policy.execute((context) => {
      const { attempt } = context as typeof context & { attempt: number };
      attempts.push(attempt);
      return attempt < 2 ? honoursSignal(context) : 'third time lucky';
    });
    await vi.advanceTimersByTimeAsync(100 + 50 + 100 + 100);
    await expect(running).resolves.toBe('third time lucky');
    expect(attempts).toEqual([0, 1, 2]);
    // The timeout's shared timer idles for at most its duration after the last call, then ends.
    await vi.advanceTimersByTimeAsync(100);
    expect(pendingTimers()).toBe(0);
  });

  it('stops at once when an outer total timeout passes during a backoff delay', async () => {
    const caller = new AbortController();
    const fn = vi.fn(() => Promise.reject(new Error('down')));
    const policy = wrap(timeout({ duration: 1_000 }), retry({ jitter: 'none', baseDelay: 600 }));
    const running = settle(policy.execute(fn, caller.signal));
    await vi.advanceTimersByTimeAsync(1_000);
    const outcome = await running;
    expect(outcome).toMatchObject({ error: expect.any(TimeoutError) });
    // Call at 0, retry at 600, next delay (1200) cut by the deadline at 1000.
    expect(fn).toHaveBeenCalledTimes(2);
    expect(pendingTimers()).toBe(0);
    expect(abortListenerCount(caller.signal)).toBe(0);
  });

  it("nests in cockatiel's wrap and does not retry a cockatiel breaker that opened", async () => {
    const breaker = circuitBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(2) });
    const fn = vi.fn(() => Promise.reject(new Error('down')));
    const running = settle(cockatielWrap(retry({ maxRetries: 5, baseDelay: 10, jitter: 'none' }), breaker).execute(fn));
    await vi.advanceTimersByTimeAsync(1_000);
    const outcome = await running;
    expect(fn).toHaveBeenCalledTimes(2);
    expect('error' in outcome && isBrokenCircuitError(outcome.error)).toBe(true);
    expect(pendingTimers()).toBe(0);
  });
});
