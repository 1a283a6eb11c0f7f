import { describe, expect, it, vi } from 'vitest';
import { createCache, type CacheGetEvent, type CacheL2ErrorEvent, type Serializer } from '@breakwater/cache';
import { deferred, manualClock, settle, watchProcessProblems } from 'breakwater-test-utils';
import { MemoryLock, MemoryTier } from './support/doubles.ts';

describe('L2 tier', () => {
  it('a load fills L1 and L2 (serialised, namespaced); another instance reads it from L2 without loading', async () => {
    const l2 = new MemoryTier();
    const a = createCache<{ n: number }>({ l2, namespace: 'users', ttl: 60_000, grace: 1_000 });
    const b = createCache<{ n: number }>({ l2, namespace: 'users' });
    await a.getOrLoad('1', async () => ({ n: 1 }));
    const stored = l2.entries.get('users:1')!;
    expect(JSON.parse(stored.value)).toEqual({ n: 1 });
    expect(stored.staleUntil - stored.freshUntil).toBe(1_000);
    const gets: CacheGetEvent[] = [];
    b.onGet((e) => gets.push(e));
    const loader = vi.fn(async () => ({ n: 2 }));
    await expect(b.getOrLoad('1', loader)).resolves.toEqual({ n: 1 });
    expect(loader).not.toHaveBeenCalled();
    expect(gets.map((e) => `${e.tier}/${e.result}`)).toEqual(['l1/miss', 'l2/hit']);
    // Now in b's L1: no second L2 read.
    const reads = l2.calls.get;
    await b.getOrLoad('1', loader);
    expect(l2.calls.get).toBe(reads);
  });

  it('get(): an L2 read that raced a set does not put its older value in L1', async () => {
    const l2 = new MemoryTier();
    const cache = createCache<number>({ l2 });
    l2.entries.set('k', { value: '1', freshUntil: Infinity, staleUntil: Infinity });
    const gate = deferred();
    l2.getGate = gate.promise;
    const read = cache.get('k');
    await cache.set('k', 2);
    gate.resolve();
    await expect(read).resolves.toBe(1);
    l2.getGate = undefined;
    await expect(cache.get('k')).resolves.toBe(2);
  });

  it('concurrent misses share one L2 lookup and one load', async () => {
    const l2 = new MemoryTier();
    const cache = createCache<number>({ l2 });
    const gate = deferred<number>();
    const loader = vi.fn(() => gate.promise);
    const all = Promise.all(Array.from({ length: 1_000 }, () => cache.getOrLoad('k', loader)));
    gate.resolve(1);
    await all;
    expect(l2.calls.get).toBe(1);
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('an L2 outage is a miss plus an event: L1 and the loader keep serving', async () => {
    const l2 = new MemoryTier();
    l2.down = true;
    const cache = createCache<number>({ l2, name: 'c' });
    const errors: CacheL2ErrorEvent[] = [];
    cache.onL2Error((e) => errors.push(e));
    await expect(cache.getOrLoad('k', async () => 1)).resolves.toBe(1);
    await expect(cache.getOrLoad('k', async () => 2)).resolves.toBe(1);
    await cache.set('j', 5);
    await expect(cache.get('j')).resolves.toBe(5);
    await cache.delete('j');
    await cache.deleteTag('t');
    await cache.deletePrefix('p');
    expect(errors.map((e) => e.operation)).toEqual(['get', 'set', 'set', 'delete', 'deleteTags', 'deletePrefix']);
    expect(errors.every((e) => e.cache === 'c' && (e.error as Error).message === 'L2 down')).toBe(true);
  });

  it('a stale L2 entry inside grace is the fallback when the loader fails', async () => {
    const { clock, advance } = manualClock();
    const l2 = new MemoryTier();
    const writer = createCache<number>({ l2, ttl: 100, grace: 1_000, clock });
    await writer.getOrLoad('k', async () => 1);
    advance(500);
    const reader = createCache<number>({ l2, clock });
    await expect(reader.getOrLoad('k', async () => Promise.reject(new Error('down')))).resolves.toBe(1);
    await expect(reader.getOrLoad('k', async () => 2)).resolves.toBe(2);
  });

  it('an entry past its stale window in L2 is a miss', async () => {
    const { clock, advance } = manualClock();
    const l2 = new MemoryTier();
    await createCache<number>({ l2, ttl: 100, clock }).getOrLoad('k', async () => 1);
    advance(100);
    await expect(createCache<number>({ l2, clock }).getOrLoad('k', async () => 2)).resolves.toBe(2);
  });

  it('a value that does not deserialise is a miss plus a deserialize event', async () => {
    const l2 = new MemoryTier();
    l2.entries.set('k', { value: '{broken', freshUntil: Infinity, staleUntil: Infinity });
    const cache = createCache<number>({ l2 });
    const ops: string[] = [];
    cache.onL2Error((e) => ops.push(e.operation));
    await expect(cache.getOrLoad('k', async () => 3)).resolves.toBe(3);
    expect(ops).toEqual(['deserialize']);
    expect(l2.entries.get('k')?.value).toBe('3');
  });

  it('uses the pluggable serializer on the way to and from L2 only', async () => {
    const l2 = new MemoryTier();
    const serializer: Serializer<Map<string, number>> = {
      serialize: (map) => JSON.stringify([...map]),
      deserialize: (text) => new Map(JSON.parse(text) as [string, number][]),
    };
    const value = new Map([['a', 1]]);
    const a = createCache({ l2, serializer });
    await a.set('m', value);
    await expect(a.get('m')).resolves.toBe(value);
    await expect(createCache({ l2, serializer }).get('m')).resolves.toEqual(value);
  });

  it('a value the serializer refuses is kept in L1, dropped from L2, and reported', async () => {
    const l2 = new MemoryTier();
    l2.entries.set('k', { value: '1', freshUntil: Infinity, staleUntil: Infinity });
    const cache = createCache<unknown>({ l2 });
    const ops: string[] = [];
    cache.onL2Error((e) => ops.push(e.operation));
    await cache.set('k', undefined);
    expect(ops).toEqual(['serialize']);
    expect(l2.entries.has('k')).toBe(false);
  });
});

describe('the L2 fill after a load runs in the background', () => {
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  it('a loaded value returns while the L2 write hangs; close() waits for that write', async () => {
    const l2 = new MemoryTier();
    const gate = deferred();
    l2.setGate = gate.promise;
    const cache = createCache<number>({ l2 });
    let answered = false;
    const load = cache.getOrLoad('k', async () => 1).then((value) => {
      answered = true;
      return value;
    });
    await turn();
    expect(answered).toBe(true);
    await expect(load).resolves.toBe(1);
    expect(l2.calls.set).toBe(1);
    expect(l2.entries.has('k')).toBe(false); // the write is still hanging
    await expect(cache.getOrLoad('k', async () => 2)).resolves.toBe(1); // L1 has it already
    let closed = false;
    const closing = cache.close().then(() => {
      closed = true;
    });
    await turn();
    expect(closed).toBe(false);
    gate.resolve();
    await closing;
    expect(l2.entries.has('k')).toBe(true);
  });

  it('a background write that fails is reported in onL2Error, never as an unhandled rejection', async () => {
    const problems = watchProcessProblems();
    const l2 = new MemoryTier();
    const gate = deferred();
    l2.setGate = gate.promise;
    const cache = createCache<number>({ l2, name: 'c' });
    const errors: CacheL2ErrorEvent[] = [];
    cache.onL2Error((e) => errors.push(e));
    await expect(cache.getOrLoad('k', async () => 1)).resolves.toBe(1);
    expect(errors).toEqual([]);
    gate.reject(new Error('write lost'));
    await cache.close();
    expect(errors.map((e) => [e.operation, (e.error as Error).message])).toEqual([['set', 'write lost']]);
    await settle();
    const { unhandled } = problems.stop();
    expect(unhandled).toEqual([]);
  });

  it('a delete, set or tag delete after the load waits for the pending fill, so the fill cannot resurrect the old value', async () => {
    const l2 = new MemoryTier();
    const gate = deferred();
    l2.setGate = gate.promise;
    const cache = createCache<number>({ l2 });
    await cache.getOrLoad('k', async () => 1, { tags: ['t'] });
    await cache.getOrLoad('j', async () => 1);
    const deleting = cache.delete('k');
    const tagDeleting = cache.deleteTag('t');
    await turn();
    expect(l2.calls.delete).toBe(0);
    expect(l2.calls.deleteTags).toBe(0);
    gate.resolve();
    await Promise.all([deleting, tagDeleting]);
    l2.setGate = undefined;
    expect(l2.entries.has('k')).toBe(false);
    expect([...l2.entries.keys()]).toEqual(['j']);

    // A set() after a load whose fill hangs: the set's value is the one L2 keeps.
    const second = deferred();
    l2.setGate = second.promise;
    await cache.getOrLoad('m', async () => 1);
    l2.setGate = undefined;
    const setting = cache.set('m', 2);
    await turn();
    expect(l2.entries.has('m')).toBe(false);
    second.resolve();
    await setting;
    expect(l2.entries.get('m')?.value).toBe('2');
    await cache.close();
  });

  it('with a loader lock, the lock is held until the value is in L2', async () => {
    const l2 = new MemoryTier();
    const lock = new MemoryLock();
    const gate = deferred();
    l2.setGate = gate.promise;
    const cache = createCache<number>({ l2, lock });
    await expect(cache.getOrLoad('k', async () => 1)).resolves.toBe(1);
    expect(lock.held.size).toBe(1);
    gate.resolve();
    await cache.close();
    await turn();
    expect(lock.held.size).toBe(0);
    expect(l2.entries.has('k')).toBe(true);
  });
});

describe('cross-instance loader lock', () => {
  it('two instances, one lock: one loads, the other waits and reads its value from L2', async () => {
    const { clock, advance } = manualClock();
    const l2 = new MemoryTier();
    const lock = new MemoryLock();
    const a = createCache<number>({ l2, lock, clock, lockPollInterval: 10 });
    const b = createCache<number>({ l2, lock, clock, lockPollInterval: 10 });
    const gate = deferred<number>();
    const loaderA = vi.fn(() => gate.promise);
    const loaderB = vi.fn(async () => 99);
    const fromA = a.getOrLoad('k', loaderA);
    await new Promise((resolve) => setImmediate(resolve));
    const fromB = b.getOrLoad('k', loaderB);
    await new Promise((resolve) => setImmediate(resolve));
    advance(10);
    gate.resolve(1);
    await expect(fromA).resolves.toBe(1);
    advance(10);
    await expect(fromB).resolves.toBe(1);
    expect(loaderA).toHaveBeenCalledTimes(1);
    expect(loaderB).not.toHaveBeenCalled();
    expect(lock.held.size).toBe(0);
  });

  it('when the holder dies (never fills L2), the waiter loads itself after lockWait', async () => {
    const { clock, advance } = manualClock();
    const l2 = new MemoryTier();
    const lock = new MemoryLock();
    await lock.acquire('k'); // a dead holder: never released, never fills L2
    const cache = createCache<number>({ l2, lock, clock, lockWait: 100, lockPollInterval: 10 });
    const loader = vi.fn(async () => 7);
    const result = cache.getOrLoad('k', loader);
    for (let i = 0; i < 12; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      advance(10);
    }
    await expect(result).resolves.toBe(7);
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('when the lock store is down, loads locally (single flight per process) and reports it', async () => {
    const l2 = new MemoryTier();
    const lock = new MemoryLock();
    lock.down = true;
    const cache = createCache<number>({ l2, lock });
    const ops: string[] = [];
    cache.onL2Error((e) => ops.push(e.operation));
    const loader = vi.fn(async () => 3);
    await expect(Promise.all([cache.getOrLoad('k', loader), cache.getOrLoad('k', loader)])).resolves.toEqual([3, 3]);
    expect(loader).toHaveBeenCalledTimes(1);
    expect(ops).toEqual(['lock']);
  });

  it('a waiter still honours its own signal', async () => {
    const l2 = new MemoryTier();
    const lock = new MemoryLock();
    await lock.acquire('k');
    const { clock } = manualClock();
    const cache = createCache<number>({ l2, lock, clock });
    const controller = new AbortController();
    const result = cache.getOrLoad('k', async () => 1, { signal: controller.signal });
    controller.abort(new Error('gone'));
    await expect(result).rejects.toThrow('gone');
    await cache.close();
  });
});
