import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { retry, type GiveUpEvent } from '@breakwater/retry';
import { abortListenerCount, pendingTimers, useFakeTime } from 'breakwater-test-utils';
import { flaky, hanging, settle } from './helpers.ts';

describe('retry() and the caller signal', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it('passes the caller signal to every attempt and leaves no listener after success', async () => {
    const caller = new AbortController();
    const { fn, contexts } = flaky(1, 'ok');
    const running = retry({ baseDelay: 20 }).execute(fn, caller.signal);
    // One listener while the backoff delay races the signal, none once the call settles.
    expect(abortListenerCount(caller.signal)).toBe(1);
    await vi.advanceTimersByTimeAsync(20);
    await expect(running).resolves.toBe('ok');
    expect(contexts.map((c) => c.signal)).toEqual([caller.signal, caller.signal]);
    expect(abortListenerCount(caller.signal)).toBe(0);
    expect(pendingTimers()).toBe(0);
  });

  it('rejects with the signal reason as soon as the caller aborts during a backoff delay, and clears the timer', async () => {
    const caller = new AbortController();
    const { fn } = flaky(5, 'ok');
    const policy = retry({ jitter: 'none', baseDelay: 60_000 });
    const giveUps: GiveUpEvent[] = [];
    policy.onGiveUp((event) => giveUps.push(event));
    const running = settle(policy.execute(fn, caller.signal));
    await vi.advanceTimersByTimeAsync(0);
    expect(pendingTimers()).toBe(1);
    expect(abortListenerCount(caller.signal)).toBe(1);
    const reason = new Error('client went away');
    caller.abort(reason);
    // Within the same turn: no time needs to pass for the delay to give way.
    expect(await running).toEqual({ error: reason });
    expect(fn).toHaveBeenCalledTimes(1);
    expect(giveUps).toEqual([{ policy: 'retry', attempts: 1, reason: 'aborted', error: reason }]);
    expect(pendingTimers()).toBe(0);
    expect(abortListenerCount(caller.signal)).toBe(0);
  });

  it('does not call the function when the signal is already aborted', async () => {
    const fn = vi.fn();
    const reason = new Error('already gone');
    await expect(retry().execute(fn, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
  });

  it("does not retry a failure that follows the caller's abort, and rethrows the function's own error", async () => {
    const caller = new AbortController();
    const call = hanging<string>();
    const policy = retry({ baseDelay: 1 });
    const failures: boolean[] = [];
    const giveUps: GiveUpEvent[] = [];
    policy.onFailure(({ handled }) => failures.push(handled));
    policy.onGiveUp((event) => giveUps.push(event));
    const running = settle(policy.execute(call.fn, caller.signal));
    caller.abort(new Error('stop'));
    const own = new Error('request cancelled');
    call.reject(own);
    expect(await running).toEqual({ error: own });
    expect(call.fn).toHaveBeenCalledTimes(1);
    expect(failures).toEqual([false]);
    expect(giveUps).toEqual([{ policy: 'retry', attempts: 1, reason: 'aborted', error: own }]);
    expect(pendingTimers()).toBe(0);
  });

  it('returns a rejected value in hand instead of retrying when the caller aborted meanwhile', async () => {
    const caller = new AbortController();
    const call = hanging<{ status: number }>();
    const running = retry({ handleResult: (r) => (r as { status: number }).status === 503 }).execute(call.fn, caller.signal);
    caller.abort();
    call.resolve({ status: 503 });
    await expect(running).resolves.toEqual({ status: 503 });
    expect(call.fn).toHaveBeenCalledTimes(1);
  });

  it('adds no listener to a long-lived signal across many retried calls', async () => {
    const shared = new AbortController();
    const policy = retry({ baseDelay: 1, jitter: 'none' });
    for (let i = 0; i < 50; i++) {
      const running = policy.execute(flaky(2, i).fn, shared.signal);
      await vi.advanceTimersByTimeAsync(3);
      await expect(running).resolves.toBe(i);
    }
    expect(abortListenerCount(shared.signal)).toBe(0);
    expect(pendingTimers()).toBe(0);
  });
});
