import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock, type Clock } from '@breakwater/core';
import { retry, retryBudget, type GiveUpReason } from '@breakwater/retry';
import { pendingTimers, useFakeTime } from 'breakwater-test-utils';
import { flaky, settle } from './helpers.ts';

describe('retry budget', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it('holds 1,000 concurrent failing callers to 1,000 + 0.2 × 1,000 + 10 calls instead of 4,000', async () => {
    const budget = retryBudget();
    const policy = retry({ maxRetries: 3, budget });
    const reasons: GiveUpReason[] = [];
    policy.onGiveUp(({ reason }) => reasons.push(reason));
    let calls = 0;
    const down = () => {
      calls++;
      return Promise.reject(new Error('down'));
    };
    const running = Array.from({ length: 1_000 }, () => settle(policy.execute(down)));
    await vi.advanceTimersByTimeAsync(5_000);
    const outcomes = await Promise.all(running);
    expect(outcomes.every((o) => 'error' in o)).toBe(true);
    expect(calls).toBe(1_210);
    expect(reasons.filter((r) => r === 'budget')).toHaveLength(1_000 - reasons.filter((r) => r === 'exhausted').length);
    expect(budget.stats()).toEqual({ calls: 1_000, retries: 210, available: 0 });
    expect(pendingTimers()).toBe(0);
  });

  it('without a budget the same callers make every retry', async () => {
    let calls = 0;
    const policy = retry({ maxRetries: 3 });
    const running = Array.from({ length: 1_000 }, () =>
      settle(
        policy.execute(() => {
          calls++;
          throw new Error('down');
        }),
      ),
    );
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(running);
    expect(calls).toBe(4_000);
  });

  it('allows minRetries + ratio × calls retries per window, then frees them as the window slides', async () => {
    const budget = retryBudget({ ratio: 0.5, minRetries: 1, window: 1_000 });
    for (let i = 0; i < 4; i++) budget.recordCall();
    expect(budget.stats()).toEqual({ calls: 4, retries: 0, available: 3 });
    expect([budget.tryAcquireRetry(), budget.tryAcquireRetry(), budget.tryAcquireRetry(), budget.tryAcquireRetry()]).toEqual([true, true, true, false]);
    // 10 buckets of 100 ms: the first bucket leaves the window once 1,000 ms have passed.
    await vi.advanceTimersByTimeAsync(999);
    expect(budget.tryAcquireRetry()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(budget.stats()).toEqual({ calls: 0, retries: 0, available: 1 });
    expect(budget.tryAcquireRetry()).toBe(true);
    expect(budget.tryAcquireRetry()).toBe(false);
  });

  it('keeps calls from the last window only', async () => {
    const budget = retryBudget({ ratio: 1, minRetries: 0, window: 1_000 });
    budget.recordCall();
    await vi.advanceTimersByTimeAsync(500);
    // recordCall() reads the clock only every 64 calls; stats() reads it, so the next calls land at t = 500.
    expect(budget.stats().calls).toBe(1);
    budget.recordCall();
    budget.recordCall();
    await vi.advanceTimersByTimeAsync(500);
    expect(budget.stats().calls).toBe(2);
    await vi.advanceTimersByTimeAsync(500);
    expect(budget.stats().calls).toBe(0);
  });

  it('never counts a call in a newer bucket than it happened in, though it reads the clock only every 64 calls', async () => {
    const budget = retryBudget({ ratio: 1, minRetries: 0, window: 1_000 });
    // 10 calls recorded, then time passes without a clock read by the budget.
    for (let i = 0; i < 10; i++) budget.recordCall();
    await vi.advanceTimersByTimeAsync(950);
    for (let i = 0; i < 10; i++) budget.recordCall();
    // The second 10 were filed under the bucket of the last reading (t=0), so they expire with it: never later.
    await vi.advanceTimersByTimeAsync(50);
    expect(budget.stats().calls).toBe(0);
  });

  it('is shared between policies given the same budget', async () => {
    const budget = retryBudget({ ratio: 0, minRetries: 1 });
    const first = retry({ budget, baseDelay: 1, maxRetries: 1 });
    const second = retry({ budget, baseDelay: 1, maxRetries: 1 });
    const reasons: GiveUpReason[] = [];
    second.onGiveUp(({ reason }) => reasons.push(reason));
    const a = flaky(Infinity, 'x');
    const b = flaky(Infinity, 'x');
    const running = [settle(first.execute(a.fn)), settle(second.execute(b.fn))];
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(running);
    expect(a.fn).toHaveBeenCalledTimes(2);
    expect(b.fn).toHaveBeenCalledTimes(1);
    expect(reasons).toEqual(['budget']);
  });

  it('takes nothing for a retry that another limit refuses', async () => {
    const budget = retryBudget({ ratio: 0, minRetries: 3 });
    await settle(retry({ budget, maxRetries: 0 }).execute(flaky(Infinity, 'x').fn));
    await settle(retry({ budget, maxTotalDelay: 10, baseDelay: 50, jitter: 'none' }).execute(flaky(Infinity, 'x').fn));
    expect(budget.stats()).toEqual({ calls: 2, retries: 0, available: 3 });
  });

  it('tolerates float drift: ratio 0.1 over 10 calls allows exactly one retry', () => {
    const budget = retryBudget({ ratio: 0.1, minRetries: 0 });
    for (let i = 0; i < 9; i++) budget.recordCall();
    expect(budget.tryAcquireRetry()).toBe(false);
    budget.recordCall();
    expect(budget.tryAcquireRetry()).toBe(true);
    expect(budget.tryAcquireRetry()).toBe(false);
  });

  it('reads no clock on the success path, budget included, except once per 64 calls', async () => {
    const clock: Clock = {
      now: vi.fn(() => systemClock.now()),
      epochNow: vi.fn(() => systemClock.epochNow()),
      setTimeout: vi.fn((cb: () => void, ms: number) => systemClock.setTimeout(cb, ms)),
      clearTimeout: vi.fn((handle: unknown) => systemClock.clearTimeout(handle)),
    };
    const plain = retry({ clock });
    for (let i = 0; i < 100; i++) await plain.execute(() => i);
    expect(clock.now).not.toHaveBeenCalled();
    expect(clock.epochNow).not.toHaveBeenCalled();
    expect(clock.setTimeout).not.toHaveBeenCalled();
    const budgeted = retry({ clock, budget: retryBudget({ clock }) });
    vi.mocked(clock.now).mockClear();
    for (let i = 0; i < 128; i++) await budgeted.execute(() => i);
    expect(clock.now).toHaveBeenCalledTimes(2);
  });
});
