import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotency } from '@breakwater/idempotency';
import { startRedisCluster, type RedisCluster } from 'breakwater-test-utils';
import type { Cluster } from 'ioredis';
import { keysUnder, redisHarness } from './support/harness.ts';
import { storeConformance } from './support/store-conformance.ts';

let cluster: RedisCluster;
let client: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  client = await cluster.client();
}, 30_000);
afterAll(async () => {
  await cluster.stop();
});

describe('redisStore() on a 3-master Redis Cluster: conformance', () => {
  storeConformance(() => redisHarness(client));
});

describe('redisStore() on a 3-master Redis Cluster', () => {
  it('spreads records over the masters; a record and its lease share a slot', async () => {
    const h = redisHarness(client);
    const idem = idempotency({ store: h.store });
    for (let i = 0; i < 30; i++) await idem.run(`key-${i}`, 'fp', async () => i);
    const perMaster = await Promise.all(client.nodes('master').map((node) => node.dbsize()));
    expect(perMaster.filter((n) => n > 0).length).toBe(3);
    expect(await keysUnder(client, h.prefix)).toHaveLength(30);
    await idem.close();
  });
});
