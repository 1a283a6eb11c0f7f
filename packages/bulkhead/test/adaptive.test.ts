import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BulkheadRejectedError, TimeoutError } from '@breakwater/core';
import { BulkheadFullError, bulkhead, type LimitChangeEvent } from '@breakwater/bulkhead';
import { pendingTimers, useFakeTime } from 'breakwater-test-utils';
import { flush, gate } from './helpers.ts';

/** A call that takes `ms` of (fake) time, then resolves or throws `error`. */
function takes(ms: number, error?: unknown) {
  return () => new Promise((resolve, reject) => setTimeout(() => (error === undefined ? resolve(ms) : reject(error)), ms));
}

describe('bulkhead() with an adaptive limit', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it('starts from adaptive.initial, or from capacity, which is the same thing', () => {
    expect(bulkhead({ adaptive: { algorithm: 'aimd' } }).capacity).toBe(20);
    expect(bulkhead({ adaptive: { algorithm: 'gradient', min: 1, initial: 7 } }).capacity).toBe(7);
    const policy = bulkhead({ capacity: 30, queue: 4, adaptive: { algorithm: 'aimd' } });
    expect({ mode: policy.mode, capacity: policy.capacity, queueCapacity: policy.queueCapacity }).toEqual({ mode: 'aimd', capacity: 30, queueCapacity: 4 });
    expect(bulkhead(3).mode).toBe('fixed');
  });

  it('AIMD: raises the limit by one per call that completes while the limit is used, up to max', async () => {
    const policy = bulkhead({ queue: 100, adaptive: { algorithm: 'aimd', min: 2, max: 6, initial: 2 } });
    const changes: LimitChangeEvent[] = [];
    policy.onLimitChange((event) => changes.push(event));
    let running = 0;
    let maxRunning = 0;
    const work = async () => {
      running++;
      maxRunning = Math.max(maxRunning, running, 0);
      expect(running).toBeLessThanOrEqual(policy.capacity);
      await takes(10)();
      running--;
    };
    const calls = Array.from({ length: 30 }, () => policy.execute(work));
    expect({ executing: policy.executing, queued: policy.queued }).toEqual({ executing: 2, queued: 28 });
    await vi.advanceTimersByTimeAsync(10);
    expect(changes).toEqual([
      { policy: 'bulkhead', from: 2, to: 3 },
      { policy: 'bulkhead', from: 3, to: 4 },
    ]);
    expect({ capacity: policy.capacity, executing: policy.executing, queued: policy.queued }).toEqual({ capacity: 4, executing: 4, queued: 24 });
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(calls);
    expect(changes.map((c) => c.to)).toEqual([3, 4, 5, 6]);
    expect(policy.capacity).toBe(6);
    expect(maxRunning).toBe(6);
    expect(pendingTimers()).toBe(0);
  });

  it('AIMD: lowers the limit on drops and slow calls, never below min; other failures leave it alone', async () => {
    const policy = bulkhead({ adaptive: { algorithm: 'aimd', min: 3, initial: 10, timeout: 100 } });
    const changes: number[] = [];
    policy.onLimitChange(({ to }) => changes.push(to));
    const timedOut = expect(policy.execute(takes(5, new TimeoutError(5)))).rejects.toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(5);
    await timedOut;
    const rejectedDownstream = expect(policy.execute(takes(1, new BulkheadRejectedError(1, 0)))).rejects.toBeInstanceOf(BulkheadRejectedError);
    await vi.advanceTimersByTimeAsync(1);
    await rejectedDownstream;
    expect(changes).toEqual([9, 8]);

    // An application error, or the caller giving up, says nothing about capacity.
    const notFound = policy.execute(takes(5, new Error('404'))).catch(() => 'failed');
    const caller = new AbortController();
    const abandoned = policy
      .execute(({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))), caller.signal)
      .catch(() => 'aborted');
    caller.abort(new TimeoutError(1));
    await vi.advanceTimersByTimeAsync(5);
    expect(await Promise.all([notFound, abandoned])).toEqual(['failed', 'aborted']);
    expect(changes).toEqual([9, 8]);

    // Succeeding, but slower than `timeout`, is a drop too.
    const slow = policy.execute(takes(150));
    await vi.advanceTimersByTimeAsync(150);
    await slow;
    expect(changes).toEqual([9, 8, 7]);

    for (let i = 0; i < 10; i++) {
      const call = policy.execute(takes(1, new TimeoutError(1))).catch(() => undefined);
      await vi.advanceTimersByTimeAsync(1);
      await call;
    }
    expect(changes).toEqual([9, 8, 7, 6, 5, 4, 3]);
    expect(policy.capacity).toBe(3);
    expect(pendingTimers()).toBe(0);
  });

  it('does not stop running calls when the limit falls: new callers wait until enough have finished', async () => {
    const policy = bulkhead({ queue: 5, adaptive: { algorithm: 'aimd', min: 1, max: 10, initial: 4 } });
    const caller = new AbortController();
    const gates = [gate(), gate(), gate(), gate()];
    const calls = gates.map((g) => policy.execute(g.fn, caller.signal).catch((e: unknown) => e));
    const waiting = gate();
    const waiter = policy.execute(waiting.fn);
    expect({ capacity: policy.capacity, executing: policy.executing, queued: policy.queued }).toEqual({ capacity: 4, executing: 4, queued: 1 });

    gates[0]!.reject(new TimeoutError(100));
    await flush();
    expect({ capacity: policy.capacity, executing: policy.executing, queued: policy.queued, executionSlots: policy.executionSlots }).toEqual({
      capacity: 3,
      executing: 3,
      queued: 1,
      executionSlots: 0,
    });
    expect(waiting.started()).toBe(false);

    gates[1]!.reject(new TimeoutError(100));
    await flush();
    expect({ capacity: policy.capacity, executing: policy.executing, queued: policy.queued }).toEqual({ capacity: 2, executing: 2, queued: 1 });
    expect(gates.slice(2).every((g) => g.signal()?.aborted === false)).toBe(true);
    expect(waiting.started()).toBe(false);

    // The third call started with 3 in flight: 3 × 2 ≥ 2, so the limit grows back to 3 and the waiter runs.
    gates[2]!.resolve('ok');
    await flush();
    expect({ capacity: policy.capacity, executing: policy.executing, queued: policy.queued }).toEqual({ capacity: 3, executing: 2, queued: 0 });
    expect(waiting.started()).toBe(true);

    // The queue keeps its meaning with the current limit: full means rejected at once.
    const more = [policy.execute(() => 'runs now'), ...Array.from({ length: 5 }, () => policy.execute(() => 'queued'))];
    await expect(policy.execute(() => 'rejected')).rejects.toMatchObject({ capacity: 3, queue: 5, executing: 3, queued: 5 });
    gates[3]!.resolve('ok');
    waiting.resolve('done');
    await expect(Promise.all([...calls, waiter, ...more])).resolves.toHaveLength(11);
  });

  it('Gradient: rises while latency is normal and falls when it climbs, within [min, max]', async () => {
    const policy = bulkhead({ queue: 1_000, adaptive: { algorithm: 'gradient', min: 5, max: 40, initial: 10, smoothing: 1 } });
    const changes: LimitChangeEvent[] = [];
    policy.onLimitChange((event) => changes.push(event));
    const batch = async (ms: number, rounds: number) => {
      for (let round = 0; round < rounds; round++) {
        const calls = Array.from({ length: policy.capacity }, () => policy.execute(takes(ms)));
        await vi.advanceTimersByTimeAsync(ms);
        await Promise.all(calls);
      }
    };
    // smoothing 1: each good sample at full use adds queueSize (4) until max.
    await batch(10, 1);
    expect(changes.slice(0, 2)).toEqual([
      { policy: 'bulkhead', from: 10, to: 14 },
      { policy: 'bulkhead', from: 14, to: 18 },
    ]);
    await batch(10, 3);
    expect(policy.capacity).toBe(40);

    // Ten times slower than normal: the gradient floors at 0.5, so each sample halves the limit, plus 4.
    await batch(100, 3);
    expect(policy.capacity).toBe(8);
    expect(Math.min(...changes.map((c) => c.to))).toBeGreaterThanOrEqual(5);
    expect(Math.max(...changes.map((c) => c.to))).toBe(40);
    for (const [index, change] of changes.entries()) {
      if (index > 0) expect(change.from).toBe(changes[index - 1]!.to);
      expect(change.to).not.toBe(change.from);
    }
    expect(changes.at(-1)!.to).toBe(policy.capacity);
    expect(pendingTimers()).toBe(0);
  });

  it('takes a custom isDrop, and a throwing isDrop changes neither the outcome nor the slot count', async () => {
    class Overloaded extends Error {}
    const policy = bulkhead({ adaptive: { algorithm: 'aimd', initial: 30, isDrop: (e) => e instanceof Overloaded } });
    await expect(policy.execute(() => Promise.reject(new Overloaded()))).rejects.toBeInstanceOf(Overloaded);
    expect(policy.capacity).toBe(27);
    await expect(policy.execute(() => Promise.reject(new TimeoutError(1)))).rejects.toBeInstanceOf(TimeoutError);
    expect(policy.capacity).toBe(27);

    const buggy = bulkhead({
      adaptive: {
        algorithm: 'aimd',
        isDrop: () => {
          throw new Error('isDrop bug');
        },
      },
    });
    const thrown: unknown[] = [];
    const onUncaught = (error: unknown): void => void thrown.push(error);
    process.prependListener('uncaughtException', onUncaught);
    try {
      const own = new Error('own failure');
      await expect(buggy.execute(() => Promise.reject(own))).rejects.toBe(own);
      expect({ executing: buggy.executing, capacity: buggy.capacity }).toEqual({ executing: 0, capacity: 20 });
      await new Promise((resolve) => process.nextTick(resolve));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(thrown).toMatchObject([{ message: 'isDrop bug' }]);
  });

  it('never emits onLimitChange in fixed mode', async () => {
    const policy = bulkhead({ capacity: 2 });
    const onLimitChange = vi.fn();
    policy.onLimitChange(onLimitChange);
    await policy.execute(() => Promise.reject(new TimeoutError(1))).catch(() => undefined);
    const slow = policy.execute(takes(10_000));
    await vi.advanceTimersByTimeAsync(10_000);
    await slow;
    expect(onLimitChange).not.toHaveBeenCalled();
    expect(policy.capacity).toBe(2);
    expect(() => {
      throw new BulkheadFullError({ policy: 'x', capacity: 1, queue: 0, executing: 1, queued: 0 });
    }).toThrow(BulkheadRejectedError);
  });
});
