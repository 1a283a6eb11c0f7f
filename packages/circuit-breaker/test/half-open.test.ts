import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { timeout, wrap } from '@breakwater/core';
import { CircuitOpenError, circuitBreaker, consecutive, type CircuitBreakerPolicy } from '@breakwater/circuit-breaker';
import { abortListenerCount, pendingTimers, useFakeTime } from 'breakwater-test-utils';
import { controllable, failTimes, flushMicrotasks, settle, succeed } from './helpers.ts';

const BREAK = 1_000;

async function halfOpenBreaker(halfOpenProbes: number, extra: Parameters<typeof circuitBreaker>[0] = {}): Promise<CircuitBreakerPolicy> {
  const breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }), breakDuration: BREAK, halfOpenProbes, ...extra });
  await failTimes(breaker, 1);
  await vi.advanceTimersByTimeAsync(BREAK);
  return breaker;
}

describe('half-open', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it.each([1, 3, 10])('admits exactly %i probes out of 1,000 callers; the rest fail fast without waiting', async (probes) => {
    const breaker = await halfOpenBreaker(probes);
    const call = controllable();
    const outcomes: ('resolved' | 'rejected')[] = [];
    const errors: unknown[] = [];
    const running = Array.from({ length: 1_000 }, () =>
      breaker.execute(call.fn).then(
        () => void outcomes.push('resolved'),
        (error: unknown) => {
          outcomes.push('rejected');
          errors.push(error);
        },
      ),
    );
    // No time passes and no probe settles: whoever is not a probe has already been answered.
    await flushMicrotasks();
    expect(call.calls).toBe(probes);
    expect(outcomes).toHaveLength(1_000 - probes);
    expect(outcomes.every((o) => o === 'rejected')).toBe(true);
    expect(errors.every((e) => e instanceof CircuitOpenError && e.state === 'half-open' && e.retryAfterMs === undefined)).toBe(true);
    expect(breaker.stats).toMatchObject({ state: 'half-open', probesRunning: probes, probesSucceeded: 0 });

    for (let i = 0; i < probes; i++) call.resolve('ok', i);
    await Promise.all(running);
    expect(outcomes.filter((o) => o === 'resolved')).toHaveLength(probes);
    expect(breaker.state).toBe('closed');
    expect(pendingTimers()).toBe(0);
  });

  it('closes only once N probes have succeeded, and admits no more than N in total', async () => {
    const breaker = await halfOpenBreaker(3);
    await breaker.execute(succeed);
    await breaker.execute(succeed);
    expect(breaker.stats).toMatchObject({ state: 'half-open', probesRunning: 0, probesSucceeded: 2 });
    const call = controllable();
    const third = breaker.execute(call.fn);
    // Two succeeded and one runs: the budget of three is spent.
    await expect(breaker.execute(succeed)).rejects.toBeInstanceOf(CircuitOpenError);
    call.resolve('ok');
    await third;
    expect(breaker.state).toBe('closed');
  });

  it('opens again on the first probe failure, even when other probes are still running', async () => {
    const breaker = await halfOpenBreaker(2);
    const call = controllable();
    const first = settle(breaker.execute(call.fn));
    const second = settle(breaker.execute(call.fn));
    call.reject(new Error('still down'), 0);
    await first;
    expect(breaker.state).toBe('open');
    // The other probe's success belongs to a half-open period that is over.
    call.resolve('ok', 1);
    await second;
    expect(breaker.state).toBe('open');
  });

  describe('releases the probe slot on every path (CB-3)', () => {
    const ignored = new Error('ignored by the filter');
    const handle = (error: unknown) => error !== ignored;

    it.each([
      ['success', (c: ReturnType<typeof controllable>) => c.resolve('ok'), 'closed'],
      ['failure', (c: ReturnType<typeof controllable>) => c.reject(new Error('down')), 'open'],
      ['an error the filter ignores', (c: ReturnType<typeof controllable>) => c.reject(ignored), 'half-open'],
    ] as const)('%s', async (_, settleProbe, next) => {
      const breaker = await halfOpenBreaker(1, { handle });
      const probe = controllable();
      const running = settle(breaker.execute(probe.fn));
      await expect(breaker.execute(succeed)).rejects.toBeInstanceOf(CircuitOpenError);
      settleProbe(probe);
      await running;
      expect(breaker.state).toBe(next);
      expect(breaker.stats.probesRunning).toBe(0);
      if (next === 'half-open') {
        // Neither success nor failure: the decision waits for the next probe, which is admitted.
        await expect(breaker.execute(succeed)).resolves.toBe('ok');
        expect(breaker.state).toBe('closed');
      }
    });

    it("the caller's abort", async () => {
      const breaker = await halfOpenBreaker(1);
      const caller = new AbortController();
      const running = settle(
        breaker.execute(({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })), caller.signal),
      );
      caller.abort(new Error('client went away'));
      expect((await running).error).toMatchObject({ message: 'client went away' });
      expect(breaker.stats).toMatchObject({ state: 'half-open', probesRunning: 0 });
      expect(abortListenerCount(caller.signal)).toBe(0);
      await expect(breaker.execute(succeed)).resolves.toBe('ok');
      expect(breaker.state).toBe('closed');
    });

    it.each([
      ['a handled error', new Error('sync'), 'open'],
      ['an ignored error', ignored, 'half-open'],
    ] as const)('a synchronous throw of %s', async (_, thrown, next) => {
      const breaker = await halfOpenBreaker(1, { handle });
      const outcome = await settle(
        breaker.execute(() => {
          throw thrown;
        }),
      );
      expect(outcome.error).toBe(thrown);
      expect(breaker.stats).toMatchObject({ state: next, probesRunning: 0 });
    });

    it('a timeout inside the breaker (counts as a failure)', async () => {
      const breaker = await halfOpenBreaker(1);
      const policy = wrap(breaker, timeout(100));
      const running = settle(policy.execute(({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))));
      await vi.advanceTimersByTimeAsync(100);
      expect((await running).error).toMatchObject({ code: 'ERR_BREAKWATER_TIMEOUT' });
      expect(breaker.stats).toMatchObject({ state: 'open', probesRunning: 0 });
      expect(pendingTimers()).toBe(0);
    });
  });

  it('reports the time left until the next probe while open', async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }), breakDuration: BREAK });
    await failTimes(breaker, 1);
    await vi.advanceTimersByTimeAsync(400);
    const error = (await settle(breaker.execute(succeed))).error;
    expect(error).toMatchObject({ state: 'open', retryAfterMs: 600, policy: 'circuit-breaker' });
    expect(breaker.stats.retryAfterMs).toBe(600);
  });

  it('does not call the function or take a slot when the caller signal is already aborted', async () => {
    const breaker = await halfOpenBreaker(1);
    const fn = vi.fn(succeed);
    await expect(breaker.execute(fn, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.state).toBe('open');
    await expect(breaker.execute(fn)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });
});
