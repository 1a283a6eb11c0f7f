import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisCluster } from 'breakwater-test-utils';
import { isAlive } from './process-state.ts';

describe('startRedisCluster()', () => {
  let cluster: RedisCluster;
  let formedInMs: number;

  beforeAll(async () => {
    const startedAt = performance.now();
    cluster = await startRedisCluster({ masters: 3 });
    formedInMs = performance.now() - startedAt;
  });
  afterAll(() => cluster?.stop());

  it('forms a cluster of 3 masters, cluster_state:ok on every node, well under 10 s', async () => {
    expect(formedInMs).toBeLessThan(10_000);
    expect(cluster.nodes).toHaveLength(3);
    expect(new Set(cluster.nodes.map((node) => node.port)).size).toBe(3);
    expect(cluster.startupNodes).toEqual(cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })));
    for (const node of cluster.nodes) {
      const info = (await node.command('CLUSTER', 'INFO')) as string;
      expect(info).toContain('cluster_state:ok');
      expect(info).toContain('cluster_known_nodes:3');
      expect(info).toContain('cluster_size:3');
      expect(info).toContain('cluster_slots_assigned:16384');
    }
  });

  it('splits the 16384 slots evenly, node 0 owning the lowest', async () => {
    const slots = (await cluster.nodes[0]!.command('CLUSTER', 'SLOTS')) as [number, number, [string, number, string]][];
    const ranges = slots.map(([first, last, [, port]]) => ({ first, last, port })).sort((a, b) => a.first - b.first);
    expect(ranges).toEqual([
      { first: 0, last: 5460, port: cluster.nodes[0]!.port },
      { first: 5461, last: 10921, port: cluster.nodes[1]!.port },
      { first: 10922, last: 16383, port: cluster.nodes[2]!.port },
    ]);
  });

  it('a Cluster client writes keys that land on different masters', async () => {
    const client = await cluster.client();
    const keys = Array.from({ length: 30 }, (_, index) => `key:${index}`);
    for (const key of keys) await client.set(key, key);
    for (const key of keys) expect(await client.get(key)).toBe(key);
    const perNode = await Promise.all(cluster.nodes.map(async (node) => Number(await node.command('DBSIZE'))));
    expect(perNode.reduce((sum, count) => sum + count, 0)).toBe(keys.length);
    for (const count of perNode) expect(count).toBeGreaterThan(0);
    // A hash tag pins related keys to one slot, so a multi-key command works.
    await client.mset('{user:1}:a', '1', '{user:1}:b', '2');
    expect(await client.mget('{user:1}:a', '{user:1}:b')).toEqual(['1', '2']);
  });

  it('stop() ends every node, disconnects clients and removes the temp dir', async () => {
    const client = await cluster.client();
    let ended = false;
    client.once('end', () => (ended = true));
    const pids = cluster.nodes.map((node) => node.pid!);
    expect(existsSync(cluster.dir)).toBe(true);
    await cluster.stop();
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(existsSync(cluster.dir)).toBe(false);
    // ioredis's Cluster flips its status back to 'close' after 'end' when the last node
    // connection drains, so check the event, and that commands fail rather than hang.
    expect(ended).toBe(true);
    await expect(client.get('x')).rejects.toThrow();
    await expect(cluster.stop()).resolves.toBeUndefined(); // idempotent
  });

  it('rejects a bad masters count before starting anything', async () => {
    await expect(startRedisCluster({ masters: 0 })).rejects.toThrow(RangeError);
  });
});
