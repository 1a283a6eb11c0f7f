import { describe, expect, it, vi } from 'vitest';
import { createCache } from '@breakwater/cache';
import { deferred } from 'breakwater-test-utils';
import { MemoryBusHub, MemoryTier } from './support/doubles.ts';

function source() {
  const rows = new Map<string, number>();
  let failNext = 0;
  const write = vi.fn(async (key: string, value: number) => {
    if (failNext > 0) {
      failNext--;
      throw new Error('constraint violated');
    }
    rows.set(key, value);
  });
  return { rows, write, failNextWrites: (n: number) => void (failNext = n) };
}

describe('write-through', () => {
  it('writes the source of truth first, then the tiers', async () => {
    const db = source();
    const l2 = new MemoryTier();
    const cache = createCache<number>({ writeThrough: { write: db.write }, l2 });
    const order: string[] = [];
    db.write.mockImplementationOnce(async (key, value) => {
      order.push(`db ${cache.size}`);
      db.rows.set(key, value);
    });
    await cache.set('a', 1);
    order.push(`tiers ${cache.size}`);
    expect(order).toEqual(['db 0', 'tiers 1']);
    expect(db.rows.get('a')).toBe(1);
    await expect(cache.get('a')).resolves.toBe(1);
    expect(l2.entries.get('a')?.value).toBe('1');
  });

  it('a rejected write leaves no cached value and evicts the previous one (L1, L2, other instances)', async () => {
    const db = source();
    const l2 = new MemoryTier();
    const hub = new MemoryBusHub();
    const cache = createCache<number>({ writeThrough: { write: db.write }, l2, bus: hub.connect() });
    const other = createCache<number>({ l2, bus: hub.connect() });
    await cache.set('a', 1);
    await other.getOrLoad('a', async () => 99);
    expect(await other.get('a')).toBe(1);

    db.failNextWrites(1);
    await expect(cache.set('a', 2)).rejects.toThrow('constraint violated');
    expect(db.rows.get('a')).toBe(1);
    await expect(cache.get('a')).resolves.toBeUndefined();
    expect(l2.entries.has('a')).toBe(false);
    await expect(other.get('a')).resolves.toBeUndefined();
    // The next read reloads from the source of truth.
    await expect(cache.getOrLoad('a', async () => db.rows.get('a')!)).resolves.toBe(1);
  });

  it('a load that started before the write does not cache its older value', async () => {
    const db = source();
    const cache = createCache<number>({ writeThrough: { write: db.write } });
    const gate = deferred<number>();
    const load = cache.getOrLoad('a', () => gate.promise);
    await cache.set('a', 2);
    gate.resolve(1);
    await expect(load).resolves.toBe(1); // its waiters get what it read…
    await expect(cache.getOrLoad('a', async () => 3)).resolves.toBe(2); // …but the cache keeps the write
  });

  it('of two overlapping sets on a key, the cache keeps the one that started last', async () => {
    const first = deferred();
    const second = deferred();
    const gates = [first, second];
    const cache = createCache<number>({ writeThrough: { write: () => gates.shift()!.promise } });
    const a = cache.set('k', 1);
    const b = cache.set('k', 2);
    second.resolve();
    await b;
    first.resolve();
    await a;
    await expect(cache.get('k')).resolves.toBe(2);
  });

  it("the caller's signal aborts the wait; the key is evicted since the write's outcome is unknown", async () => {
    const cache = createCache<number>({ writeThrough: { write: () => new Promise(() => {}) } });
    const controller = new AbortController();
    const pending = cache.set('k', 1, { signal: controller.signal });
    controller.abort(new Error('client gone'));
    await expect(pending).rejects.toThrow('client gone');
    await expect(cache.get('k')).resolves.toBeUndefined();
  });

  it('passes the signal to the writer', async () => {
    const write = vi.fn(async () => {});
    const cache = createCache<number>({ writeThrough: { write } });
    const signal = new AbortController().signal;
    await cache.set('k', 1, { signal });
    expect(write).toHaveBeenCalledWith('k', 1, { signal });
  });
});
