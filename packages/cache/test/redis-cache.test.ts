import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCache, type Cache, type InvalidationMessage, type LoaderLock, type LockLease } from '@breakwater/cache';
import { redisInvalidationBus, redisLoaderLock, redisTier, type RedisInvalidationBus } from '@breakwater/cache/redis';
import { deferred, Inbox, startRedis, type RedisServer } from 'breakwater-test-utils';
import { timed, waitFor } from './redis-helpers.ts';

/** The L2 bound in the outage scenarios. */
const TIMEOUT_MS = 250;
/** Scheduling slack on a shared, loaded 2-CPU machine. */
const MARGIN_MS = 200;
/** "At once": far below the timeout even on a loaded machine. */
const AT_ONCE_MS = 50;
/** Where Redis is healthy: a loaded machine must not turn a reply into a timeout (a spurious miss). */
const PATIENT_MS = 5_000;

interface Instance {
  readonly cache: Cache<{ v: number }>;
  readonly bus: RedisInvalidationBus;
  /** Messages this instance's bus delivered, after the cache (subscribed first) handled them. */
  readonly heard: Inbox<InvalidationMessage>;
}

/** Two application instances: each its own ioredis client, L1 + Redis tier + bus (+ lock). */
describe('createCache() with the Redis tier, bus and lock, two instances', () => {
  let server: RedisServer;
  const closers: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    server = await startRedis();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await server.stop();
  });

  async function instance(
    name: string,
    options: { lock?: boolean; wrapLock?: (lock: LoaderLock) => LoaderLock; commandTimeoutMs?: number } = {},
  ): Promise<Instance> {
    const client = await server.client();
    const commandTimeoutMs = options.commandTimeoutMs ?? PATIENT_MS;
    const l2 = redisTier(client, { commandTimeoutMs });
    const bus = redisInvalidationBus(client, { commandTimeoutMs, instanceId: name });
    await bus.ready();
    const lock = options.lock ? redisLoaderLock(client, { commandTimeoutMs }) : undefined;
    const cache = createCache<{ v: number }>({
      name,
      namespace: 'users',
      ttl: 60_000,
      l2,
      bus,
      ...(lock ? { lock: options.wrapLock ? options.wrapLock(lock) : lock, lockPollInterval: 10 } : {}),
    });
    const heard = new Inbox<InvalidationMessage>();
    bus.subscribe((message) => heard.push(message));
    closers.push(async () => {
      await cache.close();
      await Promise.all([l2.close(), bus.close()]);
    });
    return { cache, bus, heard };
  }

  it('a set or delete on one instance evicts the other instance’s L1', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const loader = vi.fn(async () => ({ v: 1 }));
    expect(await b.cache.getOrLoad('42', loader)).toEqual({ v: 1 });
    // A finds B's value in L2, without loading.
    expect(await a.cache.getOrLoad('42', loader)).toEqual({ v: 1 });
    expect(loader).toHaveBeenCalledTimes(1);

    await a.cache.set('42', { v: 2 });
    expect(await b.heard.next()).toEqual({ kind: 'keys', keys: ['users:42'] });
    // B's L1 copy is gone: the next read comes from L2, with A's value, still without loading.
    expect(await b.cache.getOrLoad('42', loader)).toEqual({ v: 2 });
    expect(loader).toHaveBeenCalledTimes(1);

    await a.cache.delete('42');
    expect(await b.heard.next()).toEqual({ kind: 'keys', keys: ['users:42'] });
    expect(await b.cache.getOrLoad('42', async () => ({ v: 3 }))).toEqual({ v: 3 });
  });

  it('entries that never expire (the default ttl) are shared through Redis too', async () => {
    const clientA = await server.client();
    const clientB = await server.client();
    const a = createCache<number>({ l2: redisTier(clientA) });
    const b = createCache<number>({ l2: redisTier(clientB) });
    closers.push(() => a.close(), () => b.close());
    await a.set('k', 1);
    expect(await b.get('k')).toBe(1);
    // Every Redis key has a TTL: an entry that never expires lives maxTtlMs (24 h by default) in L2.
    const pttl = await clientB.pttl('bw:cache:e:k');
    expect(pttl).toBeGreaterThan(86_400_000 - 60_000);
    expect(pttl).toBeLessThanOrEqual(86_400_000);
  });

  it('tag and prefix deletes reach the other instance’s L1 and the shared L2', async () => {
    const a = await instance('a');
    const b = await instance('b');
    await b.cache.getOrLoad('t:1', async () => ({ v: 1 }), { tags: ['team'] });
    await b.cache.getOrLoad('p:1', async () => ({ v: 1 }));
    await a.cache.deleteTag('team');
    expect(await b.heard.next()).toEqual({ kind: 'tags', tags: ['users:team'] });
    await a.cache.deletePrefix('p:');
    expect(await b.heard.next()).toEqual({ kind: 'prefix', prefix: 'users:p:' });
    expect(await b.cache.getOrLoad('t:1', async () => ({ v: 2 }))).toEqual({ v: 2 });
    expect(await b.cache.getOrLoad('p:1', async () => ({ v: 2 }))).toEqual({ v: 2 });
  });

  it('Redis paused: reads keep working from L1 and the loader, bounded by the L2 timeout, then at once', async () => {
    const a = await instance('a', { commandTimeoutMs: TIMEOUT_MS });
    await a.cache.getOrLoad('cached', async () => ({ v: 1 }));
    server.pause();
    try {
      const hit = await timed(a.cache.getOrLoad('cached', async () => ({ v: -1 })));
      expect(hit.value).toEqual({ v: 1 });
      expect(hit.ms).toBeLessThan(AT_ONCE_MS);
      // A miss pays the L2 lookup's timeout only: the L2 fill runs in the background.
      const miss = await timed(a.cache.getOrLoad('new', async () => ({ v: 2 })));
      expect(miss.value).toEqual({ v: 2 });
      expect(miss.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
      expect(miss.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      // The lookup, the background fill of `new` and this lookup time out: the breaker opens; from
      // then on a miss costs only the loader.
      await a.cache.getOrLoad('newer', async () => ({ v: 3 }));
      const shed = await timed(a.cache.getOrLoad('newest', async () => ({ v: 4 })));
      expect(shed.value).toEqual({ v: 4 });
      expect(shed.ms).toBeLessThan(AT_ONCE_MS);
    } finally {
      server.resume();
    }
  });

  it('Redis killed: reads keep working from L1 and the loader at once; after a restart L2 is used again', async () => {
    const a = await instance('a', { commandTimeoutMs: TIMEOUT_MS });
    const client = await server.client();
    await a.cache.getOrLoad('cached', async () => ({ v: 1 }));
    await server.kill();
    await waitFor('the clients to notice', () => client.status !== 'ready');
    const hit = await timed(a.cache.getOrLoad('cached', async () => ({ v: -1 })));
    expect(hit.value).toEqual({ v: 1 });
    const miss = await timed(a.cache.getOrLoad('new', async () => ({ v: 2 })));
    expect(miss.value).toEqual({ v: 2 });
    expect(miss.ms).toBeLessThan(AT_ONCE_MS);
    await server.restart();
    await waitFor('the client to reconnect', () => client.status === 'ready', 10_000);
    const b = await instance('b');
    await waitFor('A to write to L2 again', async () => {
      await a.cache.set('after', { v: 5 }).catch(() => {});
      return (await client.exists('bw:cache:e:users:after')) === 1;
    });
    expect(await b.cache.getOrLoad('after', async () => ({ v: -1 }))).toEqual({ v: 5 });
  });

  it('two instances missing the same key call the loader once between them (Redis loader lock)', async () => {
    const lost = deferred<void>();
    const a = await instance('a', { lock: true });
    const b = await instance('b', {
      lock: true,
      // Tells the test when B has tried the lock and found it taken.
      wrapLock: (lock) => ({
        acquire: async (key: string, ttlMs: number): Promise<LockLease | undefined> => {
          const lease = await lock.acquire(key, ttlMs);
          if (lease === undefined) lost.resolve();
          return lease;
        },
      }),
    });
    const gate = deferred<void>();
    const loader = vi.fn(async () => {
      await gate.promise;
      return { v: 7 };
    });
    const atA = a.cache.getOrLoad('hot', loader);
    await waitFor('A to start loading', () => loader.mock.calls.length === 1);
    const atB = b.cache.getOrLoad('hot', loader);
    await lost.promise;
    gate.resolve();
    expect(await Promise.all([atA, atB])).toEqual([{ v: 7 }, { v: 7 }]);
    expect(loader).toHaveBeenCalledTimes(1);
  });
  it('when the subscriber connection drops and comes back, the bus clears the L1 (invalidations may have been missed)', async () => {
    const a = await instance('a');
    const b = await instance('b');
    await b.cache.getOrLoad('42', async () => ({ v: 1 }));
    await b.cache.getOrLoad('43', async () => ({ v: 1 }));
    expect(b.cache.size).toBe(2);
    const resubscribed: boolean[] = [];
    b.bus.onResubscribe((event) => resubscribed.push(event.cleared));
    // Drop the subscriber connections only (the command connections stay up); ioredis reconnects.
    await server.command('CLIENT', 'KILL', 'TYPE', 'pubsub');
    // Meanwhile the value changes in L2 behind B's back (as a set whose message B missed would).
    await a.cache.set('42', { v: 2 });
    await waitFor('B to resubscribe', () => resubscribed.length === 1, 10_000);
    expect(resubscribed).toEqual([true]);
    // The bus told the cache to drop everything, 43 included, which no message ever named.
    expect(b.cache.size).toBe(0);
    const loader = vi.fn(async () => ({ v: -1 }));
    expect(await b.cache.getOrLoad('42', loader)).toEqual({ v: 2 });
    expect(await b.cache.getOrLoad('43', loader)).toEqual({ v: 1 });
    expect(loader).not.toHaveBeenCalled();
  });

  it('tags are namespaced: deleteTag in one namespace leaves the same tag of another namespace alone, in L2 and in L1', async () => {
    const clients = await Promise.all([server.client(), server.client(), server.client()]);
    const parts = clients.map((client, index) => ({
      l2: redisTier(client, { commandTimeoutMs: PATIENT_MS }),
      bus: redisInvalidationBus(client, { commandTimeoutMs: PATIENT_MS, instanceId: `i${index}` }),
    }));
    await Promise.all(parts.map((part) => part.bus.ready()));
    // Two instances of `orders`, one of `users`, all on one Redis, one prefix, one channel.
    const [orders1, orders2, users] = parts.map((part, index) => createCache<number>({ namespace: index < 2 ? 'orders' : 'users', ...part }));
    closers.push(async () => {
      await Promise.all([orders1!.close(), orders2!.close(), users!.close()]);
      await Promise.all(parts.flatMap((part) => [part.l2.close(), part.bus.close()]));
    });
    const heardByUsers = new Inbox<InvalidationMessage>();
    parts[2]!.bus.subscribe((message) => heardByUsers.push(message));
    const heardByOrders2 = new Inbox<InvalidationMessage>();
    parts[1]!.bus.subscribe((message) => heardByOrders2.push(message));
    await orders1!.set('1', 1, { tags: ['x'] });
    await users!.set('1', 10, { tags: ['x'] });
    expect(await heardByOrders2.next()).toEqual({ kind: 'keys', keys: ['orders:1'] });
    expect(await heardByOrders2.next()).toEqual({ kind: 'keys', keys: ['users:1'] });
    expect(await orders2!.get('1')).toBe(1); // from L2, its tags unqualified in L1
    expect(await users!.get('1')).toBe(10);
    expect(await server.command('SMEMBERS', 'bw:cache:t:orders:x')).toEqual(['orders:1']);
    expect(await server.command('SMEMBERS', 'bw:cache:t:users:x')).toEqual(['users:1']);

    await orders1!.deleteTag('x');
    expect(await heardByUsers.next()).toEqual({ kind: 'keys', keys: ['orders:1'] });
    expect(await heardByUsers.next()).toEqual({ kind: 'tags', tags: ['orders:x'] });
    expect(await heardByOrders2.next()).toEqual({ kind: 'tags', tags: ['orders:x'] });
    // The other namespace keeps its entry in L1 and in L2.
    expect(users!.size).toBe(1);
    expect(await users!.get('1')).toBe(10);
    expect(await server.command('EXISTS', 'bw:cache:e:users:1')).toBe(1);
    // The same namespace lost it everywhere: the other instance's L1 (by the unqualified tag) too.
    expect(orders2!.size).toBe(0);
    expect(await server.command('EXISTS', 'bw:cache:e:orders:1')).toBe(0);
    expect(await orders2!.getOrLoad('1', async () => 2)).toBe(2);
  });
});
