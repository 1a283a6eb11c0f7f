import { afterEach, expect, it, vi } from 'vitest';
import { createCache } from '@breakwater/cache';
import { abortListenerCount, pendingTimers, settle, useFakeTime, watchProcessProblems } from 'breakwater-test-utils';
import { MemoryBusHub, MemoryTier } from './support/doubles.ts';

afterEach(() => {
  vi.useRealTimers();
});

it('failing background refreshes, grace, timeouts, aborted waiters and given-up writes leave no unhandled rejection, warning, timer or listener', async () => {
  useFakeTime(0);
  const problems = watchProcessProblems();
  const l2 = new MemoryTier();
  const hub = new MemoryBusHub();
  const cache = createCache<number>({
    l2,
    bus: hub.connect(),
    ttl: 100,
    staleWhileRevalidate: 1_000,
    grace: 5_000,
    timeout: 50,
    writeBehind: { writeMany: async () => Promise.reject(new Error('sink down')), maxRetries: 1, retryDelay: 10, flushInterval: 5 },
  });
  const longLived = new AbortController().signal;
  const failing = async () => Promise.reject(new Error('loader down'));
  const hanging = () => new Promise<number>(() => {});

  for (let i = 0; i < 50; i++) await cache.getOrLoad(`k${i}`, async () => i, { signal: longLived });
  l2.down = true;
  hub.down = true;
  await vi.advanceTimersByTimeAsync(200); // every entry is now stale, inside SWR
  for (let i = 0; i < 50; i++) await cache.getOrLoad(`k${i}`, i % 2 ? failing : hanging, { signal: longLived });
  await vi.advanceTimersByTimeAsync(2_000); // past SWR, inside grace: reloads fail, stale answers
  for (let i = 0; i < 50; i++) {
    const pending = cache.getOrLoad(`k${i}`, i % 2 ? failing : hanging, { signal: longLived });
    await vi.advanceTimersByTimeAsync(50);
    await expect(pending).resolves.toBe(i);
  }
  const aborted = new AbortController();
  const waiting = cache.getOrLoad('fresh-miss', hanging, { signal: aborted.signal });
  aborted.abort(new Error('gone'));
  await expect(waiting).rejects.toThrow('gone');
  for (let i = 0; i < 20; i++) await cache.set(`w${i}`, i);

  expect(abortListenerCount(longLived)).toBe(0);
  const closing = cache.close();
  await vi.advanceTimersByTimeAsync(1_000);
  await closing;
  expect(pendingTimers()).toBe(0);
  vi.useRealTimers();
  await settle();
  const { unhandled, warnings } = problems.stop();
  expect(unhandled).toEqual([]);
  expect(warnings).toEqual([]);
});
