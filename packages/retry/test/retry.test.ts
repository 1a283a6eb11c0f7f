import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BrokenCircuitError, BulkheadRejectedError } from '@breakwater/core';
import { retry, type GiveUpEvent, type RetryEvent } from '@breakwater/retry';
import { pendingTimers, useFakeTime } from 'breakwater-test-utils';
import { catchListenerErrors, flaky, settle } from './helpers.ts';

describe('retry()', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it('returns a first-try success without scheduling anything', async () => {
    const { fn, contexts } = flaky(0, 'ok');
    await expect(retry().execute(fn)).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(contexts[0]).toMatchObject({ attempt: 0 });
    expect(pendingTimers()).toBe(0);
  });

  it('retries after exponential delays and hands each attempt its number', async () => {
    const { fn, contexts } = flaky(3, 'ok');
    const running = settle(retry({ jitter: 'none', baseDelay: 100 }).execute(fn));
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fn).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(199);
    expect(fn).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fn).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(400);
    expect(await running).toEqual({ value: 'ok' });
    expect(contexts.map((c) => c.attempt)).toEqual([0, 1, 2, 3]);
    expect(pendingTimers()).toBe(0);
  });

  it.each([
    [0, 1],
    [1, 2],
    [3, 4],
  ])('maxRetries %i makes exactly %i calls, then throws the last error', async (maxRetries, calls) => {
    const { fn } = flaky(Infinity, 'never');
    const giveUps: GiveUpEvent[] = [];
    const policy = retry({ maxRetries, baseDelay: 10, name: 'db' });
    policy.onGiveUp((event) => giveUps.push(event));
    const running = settle(policy.execute(fn));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await running).toMatchObject({ error: { message: `boom ${calls}` } });
    expect(fn).toHaveBeenCalledTimes(calls);
    expect(giveUps).toEqual([{ policy: 'db', attempts: calls, reason: 'exhausted', error: expect.objectContaining({ message: `boom ${calls}` }) }]);
    expect(pendingTimers()).toBe(0);
  });

  it('accepts a number as shorthand for maxRetries', () => {
    expect(retry(5).maxRetries).toBe(5);
  });

  it('does not retry an error the handle filter rejects, and reports it as not-handled', async () => {
    const { fn } = flaky(5, 'ok', () => new TypeError('bug'));
    const policy = retry({ handle: (e) => !(e instanceof TypeError) });
    const giveUps: GiveUpEvent[] = [];
    policy.onGiveUp((event) => giveUps.push(event));
    await expect(policy.execute(fn)).rejects.toThrow('bug');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(giveUps).toMatchObject([{ attempts: 1, reason: 'not-handled', error: { message: 'bug' } }]);
  });

  it.each([
    ['an open breaker', () => new BrokenCircuitError()],
    ['a bulkhead rejection', () => new BulkheadRejectedError(4, 0)],
    ['an error marked retryable: false', () => Object.assign(new Error('invalid card'), { retryable: false })],
    ['a 404', () => Object.assign(new Error('HTTP 404'), { status: 404 })],
  ])('does not retry %s by default', async (_label, makeError) => {
    const { fn } = flaky(5, 'ok', makeError);
    await expect(retry().execute(fn)).rejects.toBeDefined();
    expect(fn).toHaveBeenCalledTimes(1);
    expect(pendingTimers()).toBe(0);
  });

  it('retries a value handleResult rejects, and returns the last value when retries run out', async () => {
    let calls = 0;
    const fn = vi.fn(() => ({ status: 503, call: ++calls }));
    const policy = retry({ maxRetries: 2, baseDelay: 10, handleResult: (res) => (res as { status: number }).status >= 500 });
    const giveUps: GiveUpEvent[] = [];
    policy.onGiveUp((event) => giveUps.push(event));
    const running = policy.execute(fn);
    await vi.advanceTimersByTimeAsync(100);
    await expect(running).resolves.toEqual({ status: 503, call: 3 });
    expect(fn).toHaveBeenCalledTimes(3);
    expect(giveUps).toEqual([{ policy: 'retry', attempts: 3, reason: 'exhausted', value: { status: 503, call: 3 } }]);
  });

  it('stops retrying a value as soon as handleResult accepts one', async () => {
    const statuses = [503, 502, 200];
    const fn = vi.fn(() => ({ status: statuses.shift() }));
    const running = retry({ baseDelay: 10, handleResult: (res) => (res as { status: number }).status >= 500 }).execute(fn);
    await vi.advanceTimersByTimeAsync(100);
    await expect(running).resolves.toEqual({ status: 200 });
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('emits onRetry before each delay with the attempt, delay, source and error', async () => {
    const { fn } = flaky(2, 'ok');
    const policy = retry({ jitter: 'none', baseDelay: 50, factor: 3, name: 'payments' });
    const retries: RetryEvent[] = [];
    policy.onRetry((event) => {
      retries.push(event);
      // Fired before the wait: the next call has not happened yet.
      expect(fn).toHaveBeenCalledTimes(event.attempt);
    });
    const running = policy.execute(fn);
    await vi.advanceTimersByTimeAsync(200);
    await expect(running).resolves.toBe('ok');
    expect(retries).toEqual([
      { policy: 'payments', attempt: 1, delayMs: 50, source: 'backoff', error: expect.objectContaining({ message: 'boom 1' }) },
      { policy: 'payments', attempt: 2, delayMs: 150, source: 'backoff', error: expect.objectContaining({ message: 'boom 2' }) },
    ]);
  });

  it('reports each attempt through onSuccess and onFailure with clock durations', async () => {
    let calls = 0;
    const fn = () =>
      new Promise<string>((resolve, reject) => {
        calls++;
        setTimeout(() => (calls < 3 ? reject(new Error('slow fail')) : resolve('ok')), 30);
      });
    const policy = retry({ jitter: 'none', baseDelay: 100 });
    const successes: number[] = [];
    const failures: { duration: number; handled: boolean }[] = [];
    policy.onSuccess(({ duration }) => successes.push(duration));
    policy.onFailure(({ duration, handled }) => failures.push({ duration, handled }));
    const running = policy.execute(fn);
    await vi.advanceTimersByTimeAsync(30 + 100 + 30 + 200 + 30);
    await expect(running).resolves.toBe('ok');
    expect(failures).toEqual([
      { duration: 30, handled: true },
      { duration: 30, handled: true },
    ]);
    expect(successes).toEqual([30]);
  });

  it('marks an unretryable failure handled: false', async () => {
    const policy = retry({ handle: () => false });
    const failures: boolean[] = [];
    policy.onFailure(({ handled }) => failures.push(handled));
    await expect(policy.execute(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(failures).toEqual([false]);
  });

  it('never lets a throwing listener change the outcome or cause a retry', async () => {
    const caught = catchListenerErrors('listener bug');
    const policy = retry({ baseDelay: 10 });
    for (const event of [policy.onSuccess, policy.onFailure, policy.onRetry, policy.onGiveUp]) {
      event(() => {
        throw new Error('listener bug');
      });
    }
    const succeeding = vi.fn(() => 'ok');
    await expect(policy.execute(succeeding)).resolves.toBe('ok');
    expect(succeeding).toHaveBeenCalledTimes(1);
    const { fn } = flaky(1, 'second');
    const running = policy.execute(fn);
    await vi.advanceTimersByTimeAsync(10);
    await expect(running).resolves.toBe('second');
    expect(fn).toHaveBeenCalledTimes(2);
    await expect(retry({ maxRetries: 0 }).execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await new Promise((resolve) => process.nextTick(resolve));
    // onSuccess; then onFailure + onRetry + onSuccess: each rethrown on a later tick, none swallowed.
    expect(caught).toHaveLength(4);
  });

  it('caps every delay at maxDelay and spreads it with full jitter by default', async () => {
    const delays: number[] = [];
    const policy = retry({ maxRetries: 6, baseDelay: 1_000, maxDelay: 5_000, random: () => 0.5 });
    policy.onRetry(({ delayMs }) => delays.push(delayMs));
    const running = settle(policy.execute(flaky(10, 'x').fn));
    await vi.advanceTimersByTimeAsync(60_000);
    await running;
    // Bases 1000, 2000, 4000, then capped at 5000; full jitter at 0.5 halves each.
    expect(delays).toEqual([500, 1_000, 2_000, 2_500, 2_500, 2_500]);
  });

  it('gives up when the next delay would exceed maxTotalDelay, without waiting for it', async () => {
    const policy = retry({ maxRetries: 10, jitter: 'none', baseDelay: 100, maxTotalDelay: 350 });
    const giveUps: GiveUpEvent[] = [];
    policy.onGiveUp((event) => giveUps.push(event));
    const { fn } = flaky(10, 'x');
    const running = settle(policy.execute(fn));
    // 100 + 200 = 300 spent; the third delay (400) would reach 700 > 350.
    await vi.advanceTimersByTimeAsync(300);
    expect(await running).toMatchObject({ error: { message: 'boom 3' } });
    expect(fn).toHaveBeenCalledTimes(3);
    expect(giveUps).toMatchObject([{ attempts: 3, reason: 'delay-budget' }]);
    expect(pendingTimers()).toBe(0);
  });

  it('runs a function that throws synchronously like one that rejects', async () => {
    let calls = 0;
    const fn = () => {
      if (++calls === 1) throw new Error('sync');
      return 'ok';
    };
    const running = retry({ baseDelay: 5 }).execute(fn);
    await vi.advanceTimersByTimeAsync(5);
    await expect(running).resolves.toBe('ok');
  });
});
