import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { retry, retryBudget, type GiveUpEvent, type RetryEvent } from '@breakwater/retry';
import { pendingTimers, useFakeTime } from 'breakwater-test-utils';
import { flaky, settle } from './helpers.ts';

/** What a policy reports, in order, as short strings. */
function recordEvents(policy: ReturnType<typeof retry>): string[] {
  const seen: string[] = [];
  policy.onSuccess(({ duration }) => seen.push(`success ${duration}`));
  policy.onFailure(({ duration, handled }) => seen.push(`failure ${duration} ${handled ? 'handled' : 'not handled'}`));
  policy.onRetry((event: RetryEvent) => seen.push(`retry ${event.attempt} after ${event.delayMs}`));
  policy.onGiveUp((event: GiveUpEvent) => seen.push(`give up ${event.reason} after ${event.attempts}`));
  return seen;
}

/** A caller that makes attempt 0 itself (as @breakwater/fetch does) must see what execute would do. */
describe('first attempt made by the caller', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it('firstAttemptSucceeded counts the call in the budget and fires onSuccess with the duration given', () => {
    const budget = retryBudget({ minRetries: 0, ratio: 0.5 });
    const policy = retry({ budget });
    const seen = recordEvents(policy);
    policy.firstAttemptSucceeded(12);
    policy.firstAttemptSucceeded(7);
    expect(seen).toEqual(['success 12', 'success 7']);
    expect(budget.stats()).toMatchObject({ calls: 2, retries: 0, available: 1 });
  });

  it('afterFirstAttempt retries a failed first attempt from attempt 1, with the same delays and events as execute', async () => {
    const fromExecute = retry({ jitter: 'none', baseDelay: 100, maxRetries: 3 });
    const executeEvents = recordEvents(fromExecute);
    const executed = flaky(2, 'ok');
    const byExecute = settle(fromExecute.execute(executed.fn));
    await vi.advanceTimersByTimeAsync(1_000);

    const resumed = retry({ jitter: 'none', baseDelay: 100, maxRetries: 3 });
    const resumeEvents = recordEvents(resumed);
    const rest = flaky(1, 'ok', (n) => new Error(`boom ${n + 1}`));
    const byResume = settle(resumed.afterFirstAttempt({ error: new Error('boom 1') }, 0, rest.fn));
    expect(rest.fn).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(99);
    expect(rest.fn).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(rest.fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);

    expect(await byResume).toEqual(await byExecute);
    expect(await byResume).toEqual({ value: 'ok' });
    expect(rest.contexts.map((c) => c.attempt)).toEqual([1, 2]);
    expect(resumeEvents).toEqual(executeEvents);
    expect(resumeEvents).toEqual(['failure 0 handled', 'retry 1 after 100', 'failure 0 handled', 'retry 2 after 200', 'success 0']);
    expect(pendingTimers()).toBe(0);
  });

  it('afterFirstAttempt judges a first value with handleResult, and returns a good one at once', async () => {
    const policy = retry({ jitter: 'none', baseDelay: 50, handleResult: (value) => value === 'busy' });
    const seen = recordEvents(policy);
    const fn = vi.fn(() => 'fine');
    await expect(policy.afterFirstAttempt({ value: 'ok' }, 3, fn)).resolves.toBe('ok');
    expect(fn).not.toHaveBeenCalled();
    const retried = settle(policy.afterFirstAttempt({ value: 'busy' }, 4, fn));
    await vi.advanceTimersByTimeAsync(50);
    expect(await retried).toEqual({ value: 'fine' });
    expect(seen).toEqual(['success 3', 'failure 4 handled', 'retry 1 after 50', 'success 0']);
  });

  it('afterFirstAttempt gives up on an error the policy does not handle, and with an aborted signal', async () => {
    const policy = retry({ handle: (error) => (error as Error).message !== 'fatal' });
    const giveUps: string[] = [];
    policy.onGiveUp((event) => giveUps.push(`${event.reason} ${event.attempts}`));
    const fn = vi.fn(() => 'never');
    const fatal = new Error('fatal');
    await expect(policy.afterFirstAttempt({ error: fatal }, 0, fn)).rejects.toBe(fatal);
    const reason = new Error('caller left');
    await expect(policy.afterFirstAttempt({ error: reason }, 0, fn, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
    expect(giveUps).toEqual(['not-handled 1', 'aborted 1']);
  });

  it('afterFirstAttempt records the call in the budget once and spends it for the retry', async () => {
    const budget = retryBudget({ minRetries: 1, ratio: 0 });
    const policy = retry({ budget, jitter: 'none', baseDelay: 10 });
    const rest = flaky(Infinity, 'never');
    const running = settle(policy.afterFirstAttempt({ error: new Error('boom 0') }, 0, rest.fn));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await running).toMatchObject({ error: { message: 'boom 1' } });
    expect(rest.fn).toHaveBeenCalledTimes(1);
    expect(budget.stats()).toMatchObject({ calls: 1, retries: 1, available: 0 });
  });
});
