import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BulkheadFullError, bulkhead } from '@breakwater/bulkhead';
import { pendingTimers, useFakeTime } from 'breakwater-test-utils';
import { gate } from './helpers.ts';

describe('bulkhead() events', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it('emits onQueued and onRejected with the counts at that moment', async () => {
    const policy = bulkhead({ capacity: 1, queue: 1, name: 'api' });
    const queuedEvents: unknown[] = [];
    const rejectedEvents: unknown[] = [];
    policy.onQueued((event) => queuedEvents.push(event));
    policy.onRejected((event) => rejectedEvents.push(event));
    const running = gate();
    const calls = [policy.execute(running.fn), policy.execute(() => 'b')];
    await expect(policy.execute(() => 'c')).rejects.toBeInstanceOf(BulkheadFullError);
    expect(queuedEvents).toEqual([{ policy: 'api', executing: 1, queued: 1 }]);
    expect(rejectedEvents).toEqual([{ policy: 'api', executing: 1, queued: 1 }]);
    running.resolve('a');
    await expect(Promise.all(calls)).resolves.toEqual(['a', 'b']);
  });

  it('reports how long a call ran, not how long it waited', async () => {
    const policy = bulkhead({ capacity: 1, queue: 1 });
    const successes: number[] = [];
    const failures: { duration: number; handled: boolean }[] = [];
    policy.onSuccess(({ duration }) => successes.push(duration));
    policy.onFailure(({ duration, handled }) => failures.push({ duration, handled }));
    const slow = (ms: number, fail = false) => () =>
      new Promise((resolve, reject) => setTimeout(() => (fail ? reject(new Error('x')) : resolve(ms)), ms));
    const first = policy.execute(slow(300));
    const second = policy.execute(slow(50, true)).catch(() => 'failed');
    await vi.advanceTimersByTimeAsync(350);
    await expect(Promise.all([first, second])).resolves.toEqual([300, 'failed']);
    expect(successes).toEqual([300]);
    expect(failures).toEqual([{ duration: 50, handled: false }]);
    expect(pendingTimers()).toBe(0);
  });

  it('never lets a throwing listener change the outcome or keep the slot', async () => {
    const policy = bulkhead({ capacity: 1 });
    policy.onSuccess(() => {
      throw new Error('listener bug');
    });
    const thrown: unknown[] = [];
    const onUncaught = (error: unknown): void => void thrown.push(error);
    process.prependListener('uncaughtException', onUncaught);
    try {
      await expect(policy.execute(() => 'ok')).resolves.toBe('ok');
      expect(policy.executing).toBe(0);
      await new Promise((resolve) => process.nextTick(resolve));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(thrown).toHaveLength(1);
  });
});

describe('bulkhead() slot release on unusual failures', () => {
  it('releases the slot even when the injected clock throws', async () => {
    let calls = 0;
    const clock = {
      now: () => {
        calls++;
        throw new Error('clock broke');
      },
      epochNow: () => 0,
      setTimeout: () => 0,
      clearTimeout: () => {},
    };
    const policy = bulkhead({ capacity: 1, clock });
    policy.onSuccess(() => {});
    const fn = vi.fn();
    await expect(policy.execute(fn)).rejects.toThrow('clock broke');
    expect(fn).not.toHaveBeenCalled();
    expect(calls).toBe(2);
    expect(policy.executing).toBe(0);
  });
});
