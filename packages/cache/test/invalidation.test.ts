import { describe, expect, it } from 'vitest';
import { createCache, type InvalidationBus, type InvalidationMessage } from '@breakwater/cache';
import { deferred } from 'breakwater-test-utils';
import { MemoryBusHub, MemoryTier } from './support/doubles.ts';

function twoInstances(namespace = 'app') {
  const hub = new MemoryBusHub();
  const l2 = new MemoryTier();
  const a = createCache<string>({ l2, bus: hub.connect(), namespace });
  const b = createCache<string>({ l2, bus: hub.connect(), namespace });
  return { hub, l2, a, b };
}

describe('invalidation', () => {
  it('delete(key) evicts from L1 and L2 here and from L1 on the other instances', async () => {
    const { hub, l2, a, b } = twoInstances();
    await a.set('k', 'v1');
    await expect(b.getOrLoad('k', async () => 'loaded')).resolves.toBe('v1');
    await a.delete('k');
    expect(l2.entries.has('app:k')).toBe(false);
    await expect(b.get('k')).resolves.toBeUndefined();
    expect(hub.published).toContainEqual({ kind: 'keys', keys: ['app:k'] });
  });

  it('set() publishes, so another instance drops its older L1 copy and reads the new one', async () => {
    const { a, b } = twoInstances();
    await a.set('k', 'v1');
    await b.get('k');
    await a.set('k', 'v2');
    await expect(b.get('k')).resolves.toBe('v2');
  });

  it('deleteTag evicts every tagged entry, locally, in L2 and on other instances', async () => {
    const { l2, a, b } = twoInstances();
    await a.set('u1', 'x', { tags: ['users'] });
    await a.getOrLoad('u2', async () => 'y', { tags: ['users', 'vip'] });
    await a.set('p1', 'z', { tags: ['products'] });
    for (const key of ['u1', 'u2', 'p1']) await b.get(key);
    await a.deleteTag('users');
    for (const cache of [a, b]) {
      await expect(cache.get('u1')).resolves.toBeUndefined();
      await expect(cache.get('u2')).resolves.toBeUndefined();
      await expect(cache.get('p1')).resolves.toBe('z');
    }
    expect([...l2.entries.keys()]).toEqual(['app:p1']);
  });

  it('deletePrefix evicts matching keys everywhere, namespace applied', async () => {
    const { l2, a, b } = twoInstances();
    await a.set('user:1', 'a');
    await a.set('user:2', 'b');
    await a.set('order:1', 'c');
    for (const key of ['user:1', 'user:2', 'order:1']) await b.get(key);
    await a.deletePrefix('user:');
    for (const cache of [a, b]) {
      await expect(cache.get('user:1')).resolves.toBeUndefined();
      await expect(cache.get('order:1')).resolves.toBe('c');
    }
    expect([...l2.entries.keys()]).toEqual(['app:order:1']);
  });

  it('a message for another namespace leaves this L1 alone', async () => {
    const hub = new MemoryBusHub();
    const a = createCache<string>({ bus: hub.connect(), namespace: 'a' });
    const b = createCache<string>({ bus: hub.connect(), namespace: 'b' });
    await b.set('k', 'mine');
    await a.delete('k');
    await expect(b.get('k')).resolves.toBe('mine');
  });

  it("an `all` message from the bus (it may have missed messages) clears this L1 and stops running loads from storing", async () => {
    let deliver!: (message: InvalidationMessage) => void;
    const bus: InvalidationBus = {
      publish: async () => {},
      subscribe: (listener) => {
        deliver = listener;
        const dispose = () => {};
        return { dispose, [Symbol.dispose]: dispose };
      },
      close: async () => {},
    };
    const l2 = new MemoryTier();
    const cache = createCache<string>({ l2, bus, namespace: 'app' });
    await cache.set('a', '1');
    await cache.set('b', '2', { tags: ['t'] });
    const gate = deferred<string>();
    const load = cache.getOrLoad('c', () => gate.promise);
    await new Promise((resolve) => setImmediate(resolve));
    deliver({ kind: 'all' });
    expect(cache.size).toBe(0);
    gate.resolve('old');
    await expect(load).resolves.toBe('old');
    expect(cache.size).toBe(0);
    // L2 keeps its entries: the next read finds them there.
    await expect(cache.get('a')).resolves.toBe('1');
    await cache.close();
  });

  it('tags are namespaced in L2 and on the bus: deleteTag in one namespace leaves the same tag of another alone', async () => {
    const hub = new MemoryBusHub();
    const l2 = new MemoryTier();
    const orders = createCache<string>({ l2, bus: hub.connect(), namespace: 'orders' });
    const ordersToo = createCache<string>({ l2, bus: hub.connect(), namespace: 'orders' });
    const users = createCache<string>({ l2, bus: hub.connect(), namespace: 'users' });
    await orders.set('1', 'o', { tags: ['x'] });
    await users.set('1', 'u', { tags: ['x'] });
    expect(l2.entries.get('orders:1')?.tags).toEqual(['orders:x']);
    await expect(ordersToo.get('1')).resolves.toBe('o'); // read from L2: its L1 copy carries the tag `x`
    await orders.deleteTag('x');
    expect(hub.published.at(-1)).toEqual({ kind: 'tags', tags: ['orders:x'] });
    expect([...l2.entries.keys()]).toEqual(['users:1']);
    expect(users.size).toBe(1);
    await expect(users.get('1')).resolves.toBe('u');
    expect(ordersToo.size).toBe(0);
    await expect(ordersToo.get('1')).resolves.toBeUndefined();
  });

  it('a load running when its key is deleted answers its waiters but does not store its value', async () => {
    const cache = createCache<string>();
    const gate = deferred<string>();
    const load = cache.getOrLoad('k', () => gate.promise);
    await cache.delete('k');
    gate.resolve('old');
    await expect(load).resolves.toBe('old');
    await expect(cache.get('k')).resolves.toBeUndefined();
  });

  it('a load running when its key is set does not overwrite the set value', async () => {
    const cache = createCache<string>();
    const gate = deferred<string>();
    const load = cache.getOrLoad('k', () => gate.promise);
    await cache.set('k', 'new');
    gate.resolve('old');
    await expect(load).resolves.toBe('old');
    await expect(cache.get('k')).resolves.toBe('new');
  });

  it('an invalidation from another instance also stops a running load from storing', async () => {
    const { a, b } = twoInstances();
    const gate = deferred<string>();
    const load = b.getOrLoad('k', () => gate.promise);
    await new Promise((resolve) => setImmediate(resolve));
    await a.set('k', 'new');
    gate.resolve('old');
    await expect(load).resolves.toBe('old');
    await expect(b.get('k')).resolves.toBe('new');
  });

  it('a bus failure is reported and the local work still happens', async () => {
    const hub = new MemoryBusHub();
    hub.down = true;
    const cache = createCache<string>({ bus: hub.connect() });
    const ops: string[] = [];
    cache.onL2Error((e) => ops.push(e.operation));
    await cache.set('k', 'v');
    await cache.delete('k');
    await expect(cache.get('k')).resolves.toBeUndefined();
    expect(ops).toEqual(['publish', 'publish']);
  });

  it('close() unsubscribes from the bus', async () => {
    const hub = new MemoryBusHub();
    const cache = createCache<string>({ bus: hub.connect() });
    expect(hub.subscribers).toBe(1);
    await cache.close();
    expect(hub.subscribers).toBe(0);
  });

  it('clearLocal() empties L1 only', async () => {
    const l2 = new MemoryTier();
    const cache = createCache<string>({ l2 });
    await cache.set('k', 'v');
    cache.clearLocal();
    expect(cache.size).toBe(0);
    await expect(cache.get('k')).resolves.toBe('v');
  });
});

describe('L1 bounds', () => {
  it('keeps at most l1.max entries (least recently used evicted)', async () => {
    const cache = createCache<number>({ l1: { max: 2 } });
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.get('a');
    await cache.set('c', 3);
    expect(cache.size).toBe(2);
    await expect(cache.get('b')).resolves.toBeUndefined();
    await expect(cache.get('a')).resolves.toBe(1);
  });

  it('keeps the total size under l1.maxSize', async () => {
    const cache = createCache<string>({ l1: { maxSize: 10, sizeCalculation: (value) => value.length } });
    await cache.set('a', 'xxxxxx');
    await cache.set('b', 'yyyyyy');
    expect(cache.size).toBe(1);
    await expect(cache.get('b')).resolves.toBe('yyyyyy');
  });
});
