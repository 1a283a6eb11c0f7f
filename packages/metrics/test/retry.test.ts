import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Registry } from 'prom-client';
import { retry } from '@breakwater/retry';
import { useFakeTime } from 'breakwater-test-utils';
import { createMetrics } from '@breakwater/metrics';
import { series } from './exposition.ts';
import { cockatielLikeRetry } from './cockatiel-shapes.ts';

const ATTEMPTS = 'breakwater_retry_attempts_total';
const GIVE_UPS = 'breakwater_retry_giveups_total';
const DURATION = 'breakwater_policy_call_duration_seconds';

function failing(times: number, value = 'ok', error: () => unknown = () => new Error('flaky')) {
  let calls = 0;
  return async () => {
    if (calls++ < times) throw error();
    return value;
  };
}

describe('bindRetry()', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it('counts attempts by outcome and give-ups by reason, with exact series', async () => {
    const registry = new Registry();
    const metrics = createMetrics({ registry });
    const policy = retry({ name: 'payments', maxRetries: 2, backoff: 'constant', baseDelay: 100, jitter: 'none' });
    metrics.bindRetry(policy);

    // One retry, then success.
    const first = policy.execute(failing(1));
    await vi.advanceTimersByTimeAsync(100);
    await expect(first).resolves.toBe('ok');

    // Two retries, then the retries run out.
    const second = policy.execute(failing(10));
    const secondSettled = expect(second).rejects.toThrow('flaky');
    await vi.advanceTimersByTimeAsync(200);
    await secondSettled;

    // Not retryable: gives up at once.
    await expect(policy.execute(failing(1, 'ok', () => Object.assign(new Error('fatal'), { retryable: false })))).rejects.toThrow('fatal');

    expect(await series(registry, ATTEMPTS)).toEqual({
      [`${ATTEMPTS}{outcome="retry",policy="payments"}`]: 3,
      [`${ATTEMPTS}{outcome="success",policy="payments"}`]: 1,
      [`${ATTEMPTS}{outcome="exhausted",policy="payments"}`]: 1,
      [`${ATTEMPTS}{outcome="not-handled",policy="payments"}`]: 1,
    });
    expect(await series(registry, GIVE_UPS)).toEqual({
      [`${GIVE_UPS}{policy="payments",reason="exhausted"}`]: 1,
      [`${GIVE_UPS}{policy="payments",reason="not-handled"}`]: 1,
    });
    // Every attempt is timed: 1 success, 5 failures (1 + 3 + 1).
    expect(await series(registry, `${DURATION}_count`)).toEqual({
      [`${DURATION}_count{kind="retry",outcome="success",policy="payments"}`]: 1,
      [`${DURATION}_count{kind="retry",outcome="failure",policy="payments"}`]: 5,
    });
  });

  it('counts an abort during the delay as an aborted give-up', async () => {
    const registry = new Registry();
    const policy = retry({ name: 'search', maxRetries: 3, backoff: 'constant', baseDelay: 1_000, jitter: 'none' });
    createMetrics({ registry }).bindRetry(policy);
    const caller = new AbortController();
    const running = policy.execute(failing(10), caller.signal);
    const settled = expect(running).rejects.toBeDefined();
    await vi.advanceTimersByTimeAsync(10);
    caller.abort(new Error('user left'));
    await settled;
    expect(await series(registry, GIVE_UPS)).toEqual({ [`${GIVE_UPS}{policy="search",reason="aborted"}`]: 1 });
  });

  it('binds a cockatiel retry (no name, no give-up reason) under its kind and `exhausted`', async () => {
    const registry = new Registry();
    const policy = cockatielLikeRetry(1);
    createMetrics({ registry }).bindRetry(policy);
    await expect(policy.execute(failing(5))).rejects.toThrow('flaky');
    await expect(policy.execute(failing(0))).resolves.toBe('ok');
    expect(await series(registry, ATTEMPTS)).toEqual({
      [`${ATTEMPTS}{outcome="retry",policy="retry"}`]: 1,
      [`${ATTEMPTS}{outcome="exhausted",policy="retry"}`]: 1,
      [`${ATTEMPTS}{outcome="success",policy="retry"}`]: 1,
    });
    expect(await series(registry, `${DURATION}_sum`)).toEqual({
      [`${DURATION}_sum{kind="retry",outcome="failure",policy="retry"}`]: 0.01,
      [`${DURATION}_sum{kind="retry",outcome="success",policy="retry"}`]: 0.005,
    });
  });

  it('the `name` option overrides the policy name; an unknown reason is labelled `unknown`', async () => {
    const registry = new Registry();
    const policy = cockatielLikeRetry(0);
    createMetrics({ registry }).bindRetry(policy, { name: 'legacy-api' });
    policy.emitters.giveUpEmitter.emit({ error: new Error('x'), reason: 'https://evil.example/?key=secret' } as never);
    expect(await series(registry, GIVE_UPS)).toEqual({ [`${GIVE_UPS}{policy="legacy-api",reason="unknown"}`]: 1 });
  });

  it('stops counting after dispose, and removes its listeners', async () => {
    const registry = new Registry();
    const policy = cockatielLikeRetry(1);
    const binding = createMetrics({ registry }).bindRetry(policy);
    expect(policy.emitters.retryEmitter.size).toBe(1);
    await policy.execute(failing(1));
    binding.dispose();
    binding.dispose();
    expect(Object.values(policy.emitters).map((e) => e.size)).toEqual([0, 0, 0, 0]);
    await policy.execute(failing(1));
    expect(await series(registry, ATTEMPTS)).toEqual({
      [`${ATTEMPTS}{outcome="retry",policy="retry"}`]: 1,
      [`${ATTEMPTS}{outcome="success",policy="retry"}`]: 1,
    });
  });
});
