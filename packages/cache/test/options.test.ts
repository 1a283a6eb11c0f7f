import { describe, expect, it } from 'vitest';
import { createCache, CacheClosedError, isCacheClosedError, WriteBehindFullError, isWriteBehindFullError } from '@breakwater/cache';
import { isBreakwaterError } from '@breakwater/core';
import { MemoryLock } from './support/doubles.ts';

const sink = { writeMany: async () => {} };

describe('createCache options are checked at construction', () => {
  it.each([
    [{ ttl: -1 }, /Expected `ttl` to be a number from 0 to 2147483647, got `-1` \(number\)/],
    [{ ttl: 'long' }, /Expected `ttl` to be a number .*got `"long"` \(string\)/],
    [{ staleWhileRevalidate: Number.NaN }, /`staleWhileRevalidate`/],
    [{ grace: -5 }, /`grace`/],
    [{ timeout: 0 }, /Expected `timeout` to be a number from 1 to 2147483647, got `0`/],
    [{ name: '' }, /`name`/],
    [{ namespace: 'users:v2' }, /Expected `namespace` to contain no ':' \(it separates the namespace from the key\), got `"users:v2"`/],
    [{ ttll: 5 }, /Unknown option `ttll` for createCache\(\)/],
    [{ l1: { max: 0 } }, /`l1.max` to be an integer from 1 and up/],
    [{ l1: { maxSize: 100 } }, /`l1.sizeCalculation` to be a function/],
    [{ l1: { sizeCalculation: () => 1 } }, /`l1.maxSize`/],
    [{ clock: { now: () => 0 } }, /`clock` to be an object with now\(\), epochNow\(\), setTimeout\(\), clearTimeout\(\)/],
    [{ l2: {} }, /`l2` to be an object with get\(\)/],
    [{ lock: new MemoryLock() }, /`l2` to be a RemoteTier when `lock` is given/],
    [{ writeThrough: { write: async () => {} }, writeBehind: sink }, /at most one of `writeThrough` and `writeBehind`/],
    [{ writeThrough: {} }, /`writeThrough.write` to be a function/],
    [{ writeBehind: {} }, /`writeBehind.write` or `writeBehind.writeMany`/],
    [{ writeBehind: { ...sink, maxQueue: 0 } }, /`writeBehind.maxQueue` to be an integer from 1 and up, got `0`/],
    [{ writeBehind: { ...sink, whenFull: 'drop' } }, /`writeBehind.whenFull` to be one of `wait`, `reject`, got `"drop"`/],
    [{ writeBehind: { ...sink, maxRetries: -1 } }, /`writeBehind.maxRetries`/],
    [{ writeBehind: { ...sink, retryDelay: 500, maxRetryDelay: 100 } }, /`writeBehind.maxRetryDelay` to be a number from 500/],
    [{ writeBehind: { ...sink, batchSiz: 3 } }, /Unknown option `batchSiz` for writeBehind/],
  ])('%j', (options, message) => {
    expect(() => createCache(options as never)).toThrow(message);
  });

  it('errors carry the invalid-option code', () => {
    try {
      createCache({ ttl: -1 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RangeError);
      expect((error as { code?: string }).code).toBe('ERR_BREAKWATER_INVALID_OPTION');
    }
  });

  it('accepts Infinity for ttl, timeout and maxRetries, and undefined keeps a default', () => {
    expect(() => createCache({ ttl: Infinity, timeout: Infinity, staleWhileRevalidate: undefined, writeBehind: { ...sink, maxRetries: Infinity } })).not.toThrow();
  });

  it('per-call options are checked too, and fail the call', async () => {
    const cache = createCache<number>();
    await expect(cache.getOrLoad('k', async () => 1, { ttl: -1 })).rejects.toThrow(/`getOrLoad\(\) option ttl`/);
    await expect(cache.getOrLoad('k', async () => 1, { timeout: 0 })).rejects.toThrow(/`getOrLoad\(\) option timeout`/);
    await expect(cache.set('k', 1, { grace: -1 })).rejects.toThrow(/`set\(\) option grace`/);
  });
});

describe('errors', () => {
  it('are BreakwaterErrors with stable codes and guards', () => {
    const closed = new CacheClosedError('c');
    expect(isBreakwaterError(closed) && isCacheClosedError(closed) && closed instanceof CacheClosedError).toBe(true);
    expect(closed.code).toBe('ERR_BREAKWATER_CACHE_CLOSED');
    const full = new WriteBehindFullError({ cache: 'c', pending: 3, maxQueue: 3, waitedMs: 10 });
    expect(isBreakwaterError(full) && isWriteBehindFullError(full) && full instanceof WriteBehindFullError).toBe(true);
    expect(full.message).toBe('Write-behind queue full after waiting 10ms: 3/3 writes pending (c)');
    expect(isWriteBehindFullError(closed)).toBe(false);
    expect({} instanceof CacheClosedError).toBe(false);
  });
});
