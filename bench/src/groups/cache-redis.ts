// What the Redis L2 tier adds to a read that hits Redis: the command timeout's timer, the breaker
// check and the envelope parse, against a raw ioredis GET of the same value on the same server.
// Sequential reads (one in flight) are dominated by one loopback round trip and are bimodal on a
// 2-vCPU VM (perf-anchors Group 3), so compare ratios within one run only. The ×100-in-flight
// cases amortise the round trip over a batch and show the per-call CPU cost of each layer.
import { createCache } from '@breakwater/cache';
import { redisTier } from '@breakwater/cache/redis';
import { startRedis, type RedisServer } from 'breakwater-test-utils';
import type { Redis } from 'ioredis';
import type { BenchGroup } from '../group.ts';

const VALUE = { id: 42, name: 'Ada Lovelace', roles: ['admin', 'editor'], active: true };
const RAW_KEY = 'bench:raw';
const DAY = 86_400_000;

let server: RedisServer | undefined;
let client: Redis | undefined;
const closers: (() => Promise<void>)[] = [];

export const group: BenchGroup = {
  title: 'Cache L2 hit through Redis (sequential, loopback, same server)',
  baseline: 'ioredis GET (raw)',
  comparisons: [
    ['redisTier().get: L2 hit', 'ioredis GET (raw)'],
    ['createCache().get: L1 miss → L2 hit', 'ioredis GET + JSON.parse'],
    ['redisTier().get ×100 in flight', 'ioredis GET ×100 in flight'],
    ['createCache().get ×100 in flight (L1 miss → L2 hit)', 'ioredis GET + JSON.parse ×100 in flight'],
  ],
  async setup() {
    server = await startRedis();
    client = await server.client({ enableOfflineQueue: true });
    const redis = client;
    const json = JSON.stringify(VALUE);
    await redis.set(RAW_KEY, json);

    // A generous timeout: the bench measures the healthy path, never a timeout.
    const tier = redisTier(redis, { commandTimeoutMs: 1_000 });
    const now = Date.now();
    await tier.set('tier:k', { value: json, freshUntil: now + DAY, staleUntil: now + DAY });

    // An L1 of one entry read with alternating keys: every read misses L1 and hits L2.
    const l2 = redisTier(redis, { commandTimeoutMs: 1_000 });
    const cache = createCache<typeof VALUE>({ l2, ttl: DAY, l1: { max: 1 } });
    const batchKeys = Array.from({ length: 100 }, (_, index) => `k${index}`);
    for (const key of ['a', 'b', ...batchKeys]) await cache.set(key, VALUE);
    let flip = false;
    const parse = async (): Promise<typeof VALUE> => JSON.parse((await redis.get(RAW_KEY))!) as typeof VALUE;
    closers.push(() => cache.close(), () => tier.close(), () => l2.close());

    return {
      'ioredis GET (raw)': () => redis.get(RAW_KEY),
      'ioredis GET + JSON.parse': parse,
      'redisTier().get: L2 hit': () => tier.get('tier:k'),
      'createCache().get: L1 miss → L2 hit': () => cache.get((flip = !flip) ? 'a' : 'b'),
      'ioredis GET ×100 in flight': () => Promise.all(batchKeys.map(() => redis.get(RAW_KEY))),
      'ioredis GET + JSON.parse ×100 in flight': () => Promise.all(batchKeys.map(parse)),
      'redisTier().get ×100 in flight': () => Promise.all(batchKeys.map(() => tier.get('tier:k'))),
      'createCache().get ×100 in flight (L1 miss → L2 hit)': () => Promise.all(batchKeys.map((key) => cache.get(key))),
    };
  },
  async teardown() {
    for (const close of closers.splice(0)) await close();
    await server?.stop();
  },
};
