import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimit } from '@breakwater/rate-limit';
import { redisKey, redisStore } from '@breakwater/rate-limit/redis';
import { startRedisCluster, type RedisCluster } from 'breakwater-test-utils';
import { describeConformance, describeSameNameLimiters, T0 } from './conformance.ts';

let cluster: RedisCluster;
let client: Cluster;
let limiters = 0;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  client = await cluster.client();
}, 30_000);
afterAll(async () => {
  await cluster?.stop();
});

describeConformance('Redis Cluster (3 masters)', () => {
  let now = T0;
  // A generous bound: 1,000 decisions in flight on a loaded CI machine must not time out here.
  const store = redisStore(client, { now: () => now, commandTimeoutMs: 5_000 });
  return {
    limiter: (options) => rateLimit({ ...options, name: `c${++limiters}`, store }),
    advance: (ms) => void (now += ms),
  };
});

// A fresh prefix per test, so the default limiter name can be used as is; time stands still.
let namespaces = 0;
describeSameNameLimiters('Redis Cluster (3 masters)', () => redisStore(client, { prefix: `bw:rl:same${++namespaces}:`, now: () => T0, commandTimeoutMs: 5_000 }));

describe('Redis Cluster store', () => {
  it('spreads keys over the masters and keeps hostile keys in the slot of their tag', async () => {
    const name = `c${++limiters}`;
    const limiter = rateLimit({ name, limits: [{ quota: 1, windowMs: 1_000 }, { quota: 5, windowMs: 60_000 }], store: redisStore(client, { commandTimeoutMs: 5_000 }) });
    const hostile = ['{', '}', '{user}', 'a}{b', '*', '\r\n', 'x'.repeat(10_240), ...Array.from({ length: 30 }, (_, i) => `user-${i}`)];
    for (const key of hostile) expect((await limiter.check(key)).allowed).toBe(true);
    for (const key of hostile) expect((await limiter.check(key)).allowed).toBe(false);

    const nodes = cluster.nodes;
    const perNode: number[] = [];
    for (const node of nodes) {
      const keys = (await node.command('KEYS', `bw:rl:${name}:*`)) as string[];
      perNode.push(keys.length);
      for (const key of keys) {
        const tag = /\{([^{}]+)\}$/.exec(key)![1]!;
        expect(await node.command('CLUSTER', 'KEYSLOT', key)).toBe(await node.command('CLUSTER', 'KEYSLOT', tag));
      }
    }
    expect(perNode.reduce((a, b) => a + b, 0)).toBe(hostile.length);
    expect(perNode.filter((n) => n > 0).length).toBeGreaterThan(1);
    for (const key of hostile) expect(await client.exists(redisKey('bw:rl:', limiter, key))).toBe(1);
  });
});
