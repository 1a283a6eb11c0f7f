import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '@breakwater/core';
import {
  circuitBreaker,
  consecutive,
  countWindow,
  memoryCircuitStore,
  timeWindow,
  type BreakerStrategy,
  type CircuitSnapshot,
  type CircuitStore,
} from '@breakwater/circuit-breaker';
import { useFakeTime } from 'breakwater-test-utils';
import { captureNextTick, fail, failTimes, settle, succeed } from './helpers.ts';

/** A clock for "another process": its own monotonic origin, the same wall clock. */
function processClock(monotonicStart: number, epochStart: number): Clock & { advance(ms: number): void } {
  let elapsed = 0;
  return {
    now: () => monotonicStart + elapsed,
    epochNow: () => epochStart + elapsed,
    setTimeout: () => 0,
    clearTimeout: () => {},
    advance(ms) {
      elapsed += ms;
    },
  };
}

const EPOCH = 1_750_000_000_000;

describe('toJSON() and initialState', () => {
  beforeEach(() => useFakeTime(EPOCH));
  afterEach(() => vi.useRealTimers());

  it.each<[string, BreakerStrategy, string]>([
    ['consecutive', consecutive({ threshold: 5 }), 'FFF'],
    ['count-window', countWindow({ size: 4, minimumCalls: 4 }), 'SFSSF'],
    ['time-window', timeWindow({ duration: 1_000, buckets: 4, minimumCalls: 100 }), 'SFFS'],
  ])('round-trips a closed %s breaker through JSON', async (_, strategy, outcomes) => {
    const breaker = circuitBreaker({ strategy });
    for (const outcome of outcomes) {
      await settle(breaker.execute(outcome === 'S' ? succeed : fail));
      await vi.advanceTimersByTimeAsync(100);
    }
    const snapshot = JSON.parse(JSON.stringify(breaker)) as CircuitSnapshot;
    expect(snapshot).toEqual(breaker.toJSON());
    const restored = circuitBreaker({ strategy, initialState: snapshot });
    expect(restored.stats).toEqual(breaker.stats);
    expect(restored.toJSON()).toEqual(snapshot);
  });

  it('restores an open breaker in another process with the break time that is left', async () => {
    const clockA = processClock(5_000, EPOCH);
    const a = circuitBreaker({ strategy: consecutive({ threshold: 1 }), breakDuration: 1_000, breakDurationBackoff: { factor: 2 }, clock: clockA });
    await failTimes(a, 1);
    clockA.advance(300);
    const snapshot = JSON.parse(JSON.stringify(a)) as CircuitSnapshot;
    expect(snapshot).toMatchObject({ version: 1, state: 'open', takenAt: EPOCH + 300, halfOpenAt: EPOCH + 1_000, opens: 1 });

    // 200 ms later, in a process whose monotonic clock started elsewhere.
    const clockB = processClock(10, EPOCH + 500);
    const b = circuitBreaker({ strategy: consecutive({ threshold: 1 }), breakDuration: 1_000, breakDurationBackoff: { factor: 2 }, clock: clockB, initialState: snapshot });
    expect(b.stats).toMatchObject({ state: 'open', retryAfterMs: 500, opens: 1 });
    clockB.advance(500);
    await failTimes(b, 1); // the probe fails: the backoff continues from the restored count
    expect(b.stats).toMatchObject({ state: 'open', retryAfterMs: 2_000, opens: 2 });
  });

  it('ages a time window by the time the snapshot spent in storage', async () => {
    const strategy = timeWindow({ duration: 1_000, buckets: 10, minimumCalls: 100 });
    const clockA = processClock(0, EPOCH);
    const a = circuitBreaker({ strategy, clock: clockA });
    await failTimes(a, 2);
    clockA.advance(500);
    await failTimes(a, 3);
    const snapshot = a.toJSON();
    expect(circuitBreaker({ strategy, clock: processClock(77, EPOCH + 500), initialState: snapshot }).stats).toMatchObject({ calls: 5 });
    // 500 ms later the first two failures have rolled off.
    expect(circuitBreaker({ strategy, clock: processClock(77, EPOCH + 1_000), initialState: snapshot }).stats).toMatchObject({ calls: 3 });
  });

  it('restores half-open as open with the break over, and isolated as open for a full break', async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }), breakDuration: 1_000 });
    await failTimes(breaker, 1);
    await vi.advanceTimersByTimeAsync(1_000);
    const probing = breaker.execute(() => new Promise(() => {}));
    void probing;
    expect(breaker.toJSON()).toMatchObject({ state: 'half-open', halfOpenAt: null });
    const fromHalfOpen = circuitBreaker({ breakDuration: 1_000, initialState: breaker.toJSON() });
    expect(fromHalfOpen.stats).toMatchObject({ state: 'open', retryAfterMs: 0 });

    const isolated = circuitBreaker({ breakDuration: 1_000 });
    isolated.isolate();
    const fromIsolated = circuitBreaker({ breakDuration: 1_000, initialState: isolated.toJSON() });
    expect(fromIsolated.stats).toMatchObject({ state: 'open', retryAfterMs: 1_000 });
  });

  it('keeps the state but drops a window from another strategy', async () => {
    const counted = circuitBreaker({ strategy: countWindow({ size: 10 }) });
    await failTimes(counted, 3);
    const restored = circuitBreaker({ strategy: consecutive({ threshold: 3 }), initialState: counted.toJSON() });
    expect(restored.stats).toMatchObject({ state: 'closed', calls: 0 });
    await failTimes(restored, 2);
    expect(restored.state).toBe('closed');
  });
});

describe('store', () => {
  beforeEach(() => useFakeTime(EPOCH));
  afterEach(() => vi.useRealTimers());

  it('is written on every transition and never on the call path', async () => {
    const saved: CircuitSnapshot[] = [];
    const store: CircuitStore = { load: vi.fn(() => undefined), save: (snapshot) => void saved.push(snapshot) };
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 2 }), breakDuration: 100, store });
    expect(store.load).toHaveBeenCalledTimes(1);
    await breaker.execute(succeed);
    await failTimes(breaker, 1);
    expect(saved).toEqual([]);
    await failTimes(breaker, 1);
    await vi.advanceTimersByTimeAsync(100);
    await breaker.execute(succeed);
    expect(saved.map((s) => s.state)).toEqual(['open', 'half-open', 'closed']);
    expect(store.load).toHaveBeenCalledTimes(1);
  });

  it('lets a breaker built later resume from a memory store', async () => {
    const store = memoryCircuitStore();
    const first = circuitBreaker({ strategy: consecutive({ threshold: 1 }), breakDuration: 1_000, store });
    await failTimes(first, 1);
    expect(store.snapshot?.state).toBe('open');
    await vi.advanceTimersByTimeAsync(400);
    const second = circuitBreaker({ strategy: consecutive({ threshold: 1 }), breakDuration: 1_000, store });
    expect(second.stats).toMatchObject({ state: 'open', retryAfterMs: 600 });
  });

  it('a store that throws does not stop the breaker: it keeps local state and the error surfaces on nextTick', async () => {
    const store: CircuitStore = {
      load: () => {
        throw new Error('load failed');
      },
      save: () => {
        throw new Error('save failed');
      },
    };
    let breaker!: ReturnType<typeof circuitBreaker>;
    const deferred = await captureNextTick(async () => {
      breaker = circuitBreaker({ strategy: consecutive({ threshold: 1 }), store });
      expect(breaker.state).toBe('closed');
      await expect(breaker.execute(fail)).rejects.toThrow('upstream down');
    });
    expect(breaker.state).toBe('open');
    expect(deferred).toHaveLength(2);
    expect(() => deferred[0]!()).toThrow('load failed');
    expect(() => deferred[1]!()).toThrow('save failed');
  });

  it('a store that loads garbage starts the breaker closed and reports it', async () => {
    let breaker!: ReturnType<typeof circuitBreaker>;
    const deferred = await captureNextTick(() => {
      breaker = circuitBreaker({ store: { load: () => ({ state: 'ajar' }) as never, save: () => {} } });
    });
    expect(breaker.state).toBe('closed');
    expect(deferred).toHaveLength(1);
    expect(() => deferred[0]!()).toThrow('Expected `store.load().version` to be one of `1`');
  });
});
