import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { circuitBreaker, consecutive, countWindow, type BreakEvent } from '@breakwater/circuit-breaker';
import { useFakeTime } from 'breakwater-test-utils';
import { captureNextTick, fail, failTimes, settle, succeed } from './helpers.ts';

const after = (ms: number, outcome: 'resolve' | 'reject' = 'resolve') => () =>
  new Promise<string>((resolve, reject) => setTimeout(() => (outcome === 'resolve' ? resolve('slow ok') : reject(new Error('slow failure'))), ms));

describe('what counts as a failure', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  describe('slowCallDuration', () => {
    it('counts a call at or above the threshold as a failure but still returns its value', async () => {
      const breaker = circuitBreaker({ strategy: consecutive({ threshold: 2 }), slowCallDuration: 100 });
      const breaks: BreakEvent[] = [];
      breaker.onBreak((event) => breaks.push(event));
      const first = breaker.execute(after(100));
      await vi.advanceTimersByTimeAsync(100);
      await expect(first).resolves.toBe('slow ok');
      expect(breaker.stats).toMatchObject({ state: 'closed', failures: 1, slowCalls: 1 });

      const quick = breaker.execute(after(99));
      await vi.advanceTimersByTimeAsync(99);
      await quick;
      expect(breaker.stats).toMatchObject({ failures: 0, slowCalls: 0 });

      for (let i = 0; i < 2; i++) {
        const slow = breaker.execute(after(150));
        await vi.advanceTimersByTimeAsync(150);
        await slow;
      }
      expect(breaker.state).toBe('open');
      expect(breaks).toEqual([{ policy: 'circuit-breaker', reason: { kind: 'slow', durationMs: 150 }, breakDurationMs: 30_000 }]);
    });

    it('counts a slow failure once, as a failure that was also slow', async () => {
      const breaker = circuitBreaker({ strategy: countWindow({ size: 10 }), slowCallDuration: 50 });
      const call = settle(breaker.execute(after(60, 'reject')));
      await vi.advanceTimersByTimeAsync(60);
      expect((await call).error).toMatchObject({ message: 'slow failure' });
      expect(breaker.stats).toMatchObject({ calls: 1, failures: 1, slowCalls: 1 });
    });

    it('fails a half-open probe that is slow', async () => {
      const breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }), breakDuration: 100, slowCallDuration: 50 });
      await failTimes(breaker, 1);
      await vi.advanceTimersByTimeAsync(100);
      const probe = breaker.execute(after(50));
      await vi.advanceTimersByTimeAsync(50);
      await expect(probe).resolves.toBe('slow ok');
      expect(breaker.state).toBe('open');
    });

    it('is off by default: a 10-minute call is a success', async () => {
      const breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }) });
      const call = breaker.execute(after(600_000));
      await vi.advanceTimersByTimeAsync(600_000);
      await call;
      expect(breaker.stats).toMatchObject({ state: 'closed', failures: 0, slowCalls: 0 });
    });
  });

  it('handle: errors the filter rejects count as neither success nor failure', async () => {
    const breaker = circuitBreaker({
      strategy: countWindow({ size: 10, minimumCalls: 1 }),
      handle: (error) => !(error instanceof RangeError),
    });
    await expect(breaker.execute(() => Promise.reject(new RangeError('bad input')))).rejects.toThrow('bad input');
    expect(breaker.stats).toMatchObject({ state: 'closed', calls: 0 });
    await expect(breaker.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
  });

  it("never counts the caller's own abort", async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }) });
    const caller = new AbortController();
    const call = settle(breaker.execute(({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))), caller.signal));
    caller.abort(new Error('client left'));
    await call;
    expect(breaker.stats).toMatchObject({ state: 'closed', calls: 0 });
    // The same kind of error not caused by the caller's abort does count.
    await settle(breaker.execute(() => Promise.reject(new Error('client left'))));
    expect(breaker.state).toBe('open');
  });

  it('handleResult: a returned value can count as a failure, and is still returned', async () => {
    const breaker = circuitBreaker({
      strategy: consecutive({ threshold: 2 }),
      handleResult: (res: { status: number }) => res.status >= 500,
    });
    const breaks: BreakEvent[] = [];
    breaker.onBreak((event) => breaks.push(event));
    await expect(breaker.execute(() => ({ status: 503 }))).resolves.toEqual({ status: 503 });
    await breaker.execute(() => ({ status: 200 }));
    expect(breaker.stats.failures).toBe(0);
    await breaker.execute(() => ({ status: 500 }));
    await breaker.execute(() => ({ status: 502 }));
    expect(breaks).toMatchObject([{ reason: { kind: 'result', value: { status: 502 } } }]);
  });

  it('a filter that throws falls back to its default and is rethrown on nextTick', async () => {
    const breaker = circuitBreaker({
      strategy: consecutive({ threshold: 1 }),
      handle: () => {
        throw new Error('error filter bug');
      },
      handleResult: () => {
        throw new Error('result filter bug');
      },
    });
    const deferred = await captureNextTick(async () => {
      await expect(breaker.execute(succeed)).resolves.toBe('ok');
      expect(breaker.state).toBe('closed'); // handleResult's default: a value is no failure
      await expect(breaker.execute(fail)).rejects.toThrow('upstream down');
      expect(breaker.state).toBe('open'); // handle's default: an error is a failure
    });
    expect(deferred).toHaveLength(2);
    expect(() => deferred[0]!()).toThrow('result filter bug');
    expect(() => deferred[1]!()).toThrow('error filter bug');
  });

  it('onSuccess and onFailure report every call that ran, with durations from the clock', async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 5 }), handle: (e) => !(e instanceof RangeError) });
    const seen: unknown[] = [];
    breaker.onSuccess(({ duration }) => seen.push({ success: duration }));
    breaker.onFailure(({ duration, handled }) => seen.push({ failure: duration, handled }));
    const ok = breaker.execute(after(25));
    await vi.advanceTimersByTimeAsync(25);
    await ok;
    await settle(breaker.execute(() => Promise.reject(new Error('x'))));
    await settle(breaker.execute(() => Promise.reject(new RangeError('y'))));
    breaker.isolate();
    await settle(breaker.execute(succeed)); // rejected without running: neither event
    expect(seen).toEqual([{ success: 25 }, { failure: 0, handled: true }, { failure: 0, handled: false }]);
  });
});
