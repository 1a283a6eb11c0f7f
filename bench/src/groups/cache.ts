// Cache hits through cache-aside APIs, against lru-cache's own fetch() (the floor for a
// stampede-safe promise API), bentocache getOrSet and cache-manager get; plus write-behind
// sustained writes. The value is the small object of research/perf-anchors.md Group 3.
import { LRUCache } from 'lru-cache';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { createCache as createCacheManager } from 'cache-manager';
import { createCache } from '@breakwater/cache';
import type { BenchGroup } from '../group.ts';

interface User {
  id: number;
  name: string;
  roles: string[];
  active: boolean;
}

const KEY = 'user:42';
const value: User = { id: 42, name: 'Ada', roles: ['admin', 'dev'], active: true };
const loader = async (): Promise<User> => value;
const WRITE_KEYS = Array.from({ length: 10_000 }, (_, i) => `k${i}`);

let bento: BentoCache<{ memory: ReturnType<typeof bentostore> }> | undefined;
let closers: (() => Promise<unknown>)[] = [];

export const group: BenchGroup = {
  title: 'Cache hits (small object) and write-behind sustained writes',
  baseline: 'lru-cache get hit (sync)',
  comparisons: [
    ['breakwater getOrLoad hit', 'lru-cache fetch() hit'],
    ['breakwater getOrLoad hit', 'bentocache getOrSet hit'],
    ['breakwater getOrLoad hit', 'cache-manager get hit'],
  ],
  async setup() {
    const lru = new LRUCache<string, User>({ max: 10_000 });
    lru.set(KEY, value);
    const lruFetch = new LRUCache<string, User>({ max: 10_000, fetchMethod: loader });
    await lruFetch.fetch(KEY);

    // Defaults as a user would write them: no TTL, the default bounded L1.
    const cache = createCache<User>();
    await cache.getOrLoad(KEY, loader);

    bento = new BentoCache({ default: 'memory', stores: { memory: bentostore().useL1Layer(memoryDriver({ maxItems: 10_000 })) } });
    const bentoOptions = { key: KEY, factory: loader };
    await bento.getOrSet(bentoOptions);

    const manager = createCacheManager();
    await manager.set(KEY, value);

    // Write-behind: a sink that persists at once; keys rotate over 10,000 so batches fill and coalesce.
    const writer = createCache<number>({ writeBehind: { writeMany: async () => {}, batchSize: 500, maxQueue: 20_000 } });
    let n = 0;

    closers = [() => cache.close(), () => writer.close(), () => bento!.disconnectAll(), () => manager.disconnect()];
    return {
      'lru-cache get hit (sync)': () => lru.get(KEY),
      'lru-cache fetch() hit': () => lruFetch.fetch(KEY),
      'breakwater getOrLoad hit': () => cache.getOrLoad(KEY, loader),
      'bentocache getOrSet hit': () => bento!.getOrSet(bentoOptions),
      'cache-manager get hit': () => manager.get(KEY),
      'breakwater write-behind set (sustained)': () => writer.set(WRITE_KEYS[n++ % WRITE_KEYS.length]!, n),
    };
  },
  async teardown() {
    await Promise.all(closers.map((close) => close()));
  },
};
