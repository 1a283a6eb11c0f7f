import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCache, isTimeoutError, isCacheClosedError, type CacheGetEvent, type CacheLoadEvent } from '@breakwater/cache';
import { deferred, manualClock, pendingTimers, useFakeTime, abortListenerCount } from 'breakwater-test-utils';

describe('getOrLoad: single flight', () => {
  it('10,000 concurrent misses on one key call the loader once', async () => {
    const cache = createCache<number>();
    const gate = deferred<number>();
    const loader = vi.fn(() => gate.promise);
    const calls = Array.from({ length: 10_000 }, () => cache.getOrLoad('k', loader));
    gate.resolve(42);
    const values = await Promise.all(calls);
    expect(loader).toHaveBeenCalledTimes(1);
    expect(new Set(values)).toEqual(new Set([42]));
    // And the value is now a hit: no further loads.
    await expect(cache.getOrLoad('k', loader)).resolves.toBe(42);
    expect(loader).toHaveBeenCalledTimes(1);
    await cache.close();
  });

  it('different keys load independently', async () => {
    const cache = createCache<string>();
    const loader = vi.fn(async ({ key }: { key: string }) => key.toUpperCase());
    await expect(Promise.all([cache.getOrLoad('a', loader), cache.getOrLoad('b', loader), cache.getOrLoad('a', loader)])).resolves.toEqual(['A', 'B', 'A']);
    expect(loader).toHaveBeenCalledTimes(2);
  });

  it('a loader error reaches every waiter, is not cached, and the next call loads again', async () => {
    const cache = createCache<number>();
    const gate = deferred<number>();
    const failing = vi.fn(() => gate.promise);
    const waiters = Array.from({ length: 100 }, () => cache.getOrLoad('k', failing));
    const boom = new Error('source down');
    gate.reject(boom);
    const results = await Promise.allSettled(waiters);
    expect(results.every((r) => r.status === 'rejected' && r.reason === boom)).toBe(true);
    expect(failing).toHaveBeenCalledTimes(1);
    expect(cache.size).toBe(0);
    const ok = vi.fn(async () => 7);
    await expect(cache.getOrLoad('k', ok)).resolves.toBe(7);
    expect(ok).toHaveBeenCalledTimes(1);
  });

  it('a loader that throws synchronously rejects the call instead of throwing', async () => {
    const cache = createCache<number>();
    const result = cache.getOrLoad('k', () => {
      throw new Error('sync');
    });
    await expect(result).rejects.toThrow('sync');
    await expect(cache.getOrLoad('k', () => 1)).resolves.toBe(1);
  });

  it("a caller's abort ends its own wait only; the load goes on for the others", async () => {
    const cache = createCache<number>();
    const gate = deferred<number>();
    const controller = new AbortController();
    const aborted = cache.getOrLoad('k', () => gate.promise, { signal: controller.signal });
    const other = cache.getOrLoad('k', () => gate.promise);
    expect(abortListenerCount(controller.signal)).toBe(1);
    controller.abort(new Error('client gone'));
    await expect(aborted).rejects.toThrow('client gone');
    expect(abortListenerCount(controller.signal)).toBe(0);
    gate.resolve(5);
    await expect(other).resolves.toBe(5);
    await expect(cache.getOrLoad('k', () => 0)).resolves.toBe(5);
  });

  it('an already aborted signal rejects at once (the load still fills the cache)', async () => {
    const cache = createCache<number>();
    const reason = new Error('already');
    await expect(cache.getOrLoad('k', async () => 1, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('a hit returns the very value that was loaded and does not call the loader', async () => {
    const cache = createCache<{ id: number }>();
    const value = { id: 1 };
    await cache.getOrLoad('k', () => value);
    const loader = vi.fn(() => ({ id: 2 }));
    await expect(cache.getOrLoad('k', loader)).resolves.toBe(value);
    expect(loader).not.toHaveBeenCalled();
  });
});

describe('getOrLoad: TTL, stale-while-revalidate, grace (fake time)', () => {
  beforeEach(() => useFakeTime(1_000_000));
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reloads after ttl; the ttl may be a function of the value', async () => {
    const cache = createCache<{ ttl: number }>({ ttl: (value) => value.ttl });
    let n = 0;
    const loader = vi.fn(async () => ({ ttl: 1_000, n: ++n }));
    await cache.getOrLoad('k', loader);
    await vi.advanceTimersByTimeAsync(999);
    await cache.getOrLoad('k', loader);
    expect(loader).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(cache.getOrLoad('k', loader)).resolves.toMatchObject({ n: 2 });
    expect(loader).toHaveBeenCalledTimes(2);
    expect(pendingTimers()).toBe(0);
  });

  it('stale-while-revalidate: answers stale at once and refreshes once in the background', async () => {
    const cache = createCache<number>({ ttl: 1_000, staleWhileRevalidate: 5_000 });
    await cache.getOrLoad('k', async () => 1);
    await vi.advanceTimersByTimeAsync(1_500);
    const refresh = deferred<number>();
    const loader = vi.fn(() => refresh.promise);
    const stale = await Promise.all(Array.from({ length: 50 }, () => cache.getOrLoad('k', loader)));
    expect(stale.every((v) => v === 1)).toBe(true);
    expect(loader).toHaveBeenCalledTimes(1);
    refresh.resolve(2);
    await vi.advanceTimersByTimeAsync(0);
    await expect(cache.getOrLoad('k', loader)).resolves.toBe(2);
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('stale-while-revalidate: a failing background refresh keeps the stale value, reports it, and leaves nothing unhandled', async () => {
    const cache = createCache<number>({ ttl: 1_000, staleWhileRevalidate: 5_000 });
    const loads: CacheLoadEvent[] = [];
    cache.onLoad((e) => loads.push(e));
    await cache.getOrLoad('k', async () => 1);
    await vi.advanceTimersByTimeAsync(2_000);
    await expect(cache.getOrLoad('k', async () => Promise.reject(new Error('refresh failed')))).resolves.toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(loads.at(-1)).toMatchObject({ ok: false, servedStale: true });
    // Still inside the window: stale again, and a new refresh is tried.
    const retry = vi.fn(async () => 3);
    await expect(cache.getOrLoad('k', retry)).resolves.toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(retry).toHaveBeenCalledTimes(1);
    await expect(cache.getOrLoad('k', retry)).resolves.toBe(3);
  });

  it('past the stale-while-revalidate window the caller waits for the loader', async () => {
    const cache = createCache<number>({ ttl: 1_000, staleWhileRevalidate: 1_000 });
    await cache.getOrLoad('k', async () => 1);
    await vi.advanceTimersByTimeAsync(2_001);
    await expect(cache.getOrLoad('k', async () => 2)).resolves.toBe(2);
  });

  it('grace: a failed reload answers the stale value; past grace the error surfaces', async () => {
    const cache = createCache<number>({ ttl: 1_000, grace: 10_000 });
    await cache.getOrLoad('k', async () => 1);
    await vi.advanceTimersByTimeAsync(5_000);
    const failing = vi.fn(async () => {
      throw new Error('source down');
    });
    await expect(cache.getOrLoad('k', failing)).resolves.toBe(1);
    expect(failing).toHaveBeenCalledTimes(1);
    // No backoff configured: the next read tries again.
    await expect(cache.getOrLoad('k', failing)).resolves.toBe(1);
    expect(failing).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(6_000);
    await expect(cache.getOrLoad('k', failing)).rejects.toThrow('source down');
  });

  it('grace: a successful reload replaces the entry', async () => {
    const cache = createCache<number>({ ttl: 1_000, grace: 10_000 });
    await cache.getOrLoad('k', async () => 1);
    await vi.advanceTimersByTimeAsync(2_000);
    await expect(cache.getOrLoad('k', async () => 2)).resolves.toBe(2);
    await expect(cache.getOrLoad('k', async () => 3)).resolves.toBe(2);
  });

  it('graceBackoff: after a failed reload the stale value is served without reloading for a while', async () => {
    const cache = createCache<number>({ ttl: 1_000, grace: 60_000, graceBackoff: 5_000 });
    await cache.getOrLoad('k', async () => 1);
    await vi.advanceTimersByTimeAsync(2_000);
    const failing = vi.fn(async () => Promise.reject(new Error('down')));
    await expect(cache.getOrLoad('k', failing)).resolves.toBe(1);
    await vi.advanceTimersByTimeAsync(4_999);
    await expect(cache.getOrLoad('k', failing)).resolves.toBe(1);
    expect(failing).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(cache.getOrLoad('k', failing)).resolves.toBe(1);
    expect(failing).toHaveBeenCalledTimes(2);
  });

  it('loader timeout: rejects with TimeoutError, aborts the loader signal, caches nothing, leaves no timer', async () => {
    const cache = createCache<number>({ timeout: 500 });
    let seen: AbortSignal | undefined;
    const slow = (ctx: { signal: AbortSignal }) => {
      seen = ctx.signal;
      return new Promise<number>(() => {});
    };
    const result = cache.getOrLoad('k', slow);
    const assertion = expect(result).rejects.toSatisfy(isTimeoutError);
    await vi.advanceTimersByTimeAsync(500);
    await assertion;
    expect(seen?.aborted).toBe(true);
    expect(cache.size).toBe(0);
    expect(pendingTimers()).toBe(0);
    await expect(cache.getOrLoad('k', async () => 1)).resolves.toBe(1);
  });

  it('loader timeout per call, with grace: the stale value answers', async () => {
    const cache = createCache<number>({ ttl: 1_000, grace: 10_000 });
    await cache.getOrLoad('k', async () => 1);
    await vi.advanceTimersByTimeAsync(1_500);
    const result = cache.getOrLoad('k', () => new Promise<number>(() => {}), { timeout: 200 });
    await vi.advanceTimersByTimeAsync(200);
    await expect(result).resolves.toBe(1);
  });

  it('a loaded ttl of 0 is not served fresh; NaN from a ttl function counts as 0', async () => {
    const cache = createCache<number>({ ttl: () => Number.NaN });
    const loader = vi.fn(async () => 1);
    await cache.getOrLoad('k', loader);
    await cache.getOrLoad('k', loader);
    expect(loader).toHaveBeenCalledTimes(2);
  });

  it('the hit path of an entry without ttl reads no clock', async () => {
    const epochNow = vi.fn(() => 0);
    const cache = createCache<number>({ clock: { now: () => 0, epochNow, setTimeout: () => 0, clearTimeout: () => {} } });
    await cache.getOrLoad('k', async () => 1);
    epochNow.mockClear();
    await cache.getOrLoad('k', async () => 2);
    expect(epochNow).not.toHaveBeenCalled();
  });
});

describe('getOrLoad: manual clock', () => {
  it('uses the injected clock for freshness', async () => {
    const { clock, advance } = manualClock();
    const cache = createCache<number>({ ttl: 100, clock });
    let n = 0;
    await cache.getOrLoad('k', async () => ++n);
    advance(99);
    await expect(cache.getOrLoad('k', async () => ++n)).resolves.toBe(1);
    advance(1);
    await expect(cache.getOrLoad('k', async () => ++n)).resolves.toBe(2);
  });
});

describe('events', () => {
  it('onGet reports hit/stale/miss per call with bounded labels; onLoad reports each load', async () => {
    const { clock, advance } = manualClock();
    const cache = createCache<number>({ name: 'users', ttl: 100, staleWhileRevalidate: 100, clock });
    const gets: CacheGetEvent[] = [];
    const loads: CacheLoadEvent[] = [];
    cache.onGet((e) => gets.push(e));
    cache.onLoad((e) => loads.push(e));
    await cache.getOrLoad('k', async () => 1);
    await cache.getOrLoad('k', async () => 1);
    advance(150);
    await cache.getOrLoad('k', async () => 2);
    expect(gets.map((e) => `${e.cache}/${e.tier}/${e.result}`)).toEqual(['users/l1/miss', 'users/l1/hit', 'users/l1/stale']);
    await Promise.resolve();
    expect(loads.map((e) => e.ok)).toEqual([true, true]);
  });

  it('a throwing listener does not change the outcome', async () => {
    const cache = createCache<number>();
    const thrown: unknown[] = [];
    const onUncaught = (error: unknown) => thrown.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      cache.onGet(() => {
        throw new Error('listener bug');
      });
      await expect(cache.getOrLoad('k', async () => 1)).resolves.toBe(1);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(thrown).toHaveLength(1);
  });
});

describe('close', () => {
  it('rejects running loads and later calls with CacheClosedError and aborts the loader signal', async () => {
    const cache = createCache<number>();
    let seen: AbortSignal | undefined;
    const running = cache.getOrLoad('k', ({ signal }) => {
      seen = signal;
      return new Promise<number>(() => {});
    });
    await cache.close();
    await expect(running).rejects.toSatisfy(isCacheClosedError);
    expect(seen?.aborted).toBe(true);
    await expect(cache.getOrLoad('k', async () => 1)).rejects.toSatisfy(isCacheClosedError);
    await expect(cache.set('k', 1)).rejects.toSatisfy(isCacheClosedError);
    await expect(cache.get('k')).rejects.toSatisfy(isCacheClosedError);
    await expect(cache.close()).resolves.toBeUndefined();
  });
});
