import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, type ClusterOptions } from 'ioredis';
import { forgetDir, removeOnExit } from './exit-cleanup.ts';
import { freePort } from './free-port.ts';
import { startRedis, waitUntilReady, type RedisServer } from './redis-server.ts';

// Captured at import, so a test that fakes timers cannot stall the fixture's own bounded waits.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realNow = Date.now;
const SLOTS = 16_384;

export interface RedisClusterOptions {
  /** Number of masters (no replicas); slots 0–16383 are split evenly between them. Range 1–16. @default 3 */
  readonly masters?: number;
  /** Extra `redis-server` arguments for every node. */
  readonly args?: readonly string[];
  /** `cluster-node-timeout` in ms: how long a silent node takes to be marked failing. @default 5_000 */
  readonly nodeTimeoutMs?: number;
  /** Upper bound for the cluster to reach `cluster_state:ok` on every node, in ms. @default 15_000 */
  readonly readyTimeoutMs?: number;
}

export interface RedisCluster {
  /** One fixture per master, in slot order (node 0 owns the lowest slots); each can `kill()`, `pause()`, `restart()`… */
  readonly nodes: readonly RedisServer[];
  /** `{ host, port }` of every node, for `new Cluster(startupNodes)`. */
  readonly startupNodes: readonly { readonly host: string; readonly port: number }[];
  /** Temp dir holding the nodes' `nodes-<port>.conf`; removed by `stop()`. */
  readonly dir: string;
  /**
   * An ioredis `Cluster` client, resolved once `ready`. Defaults as for `RedisServer.client()`
   * (`enableOfflineQueue: false`, `maxRetriesPerRequest: 1` for each node, quick reconnects);
   * override them through `options`. Disconnected by `stop()`.
   */
  client(options?: ClusterOptions): Promise<Cluster>;
  /** Disconnects the clients, stops every node and removes `dir`. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts `masters` nodes with `--cluster-enabled yes` on free ports (the cluster bus on a free
 * port of its own via `--cluster-port`, since port + 10000 may not exist) and forms the cluster
 * without redis-cli: `CLUSTER ADDSLOTSRANGE` on each node, `CLUSTER SET-CONFIG-EPOCH`, then
 * `CLUSTER MEET` from node 0 to the others, and polls `CLUSTER INFO` every few ms until every
 * node reports `cluster_state:ok` and knows every other node. Redis delays `ok` on a fresh master
 * by about 2 s (CLUSTER_WRITABLE_DELAY), so this takes 2–3 s.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  if (!Number.isInteger(masters) || masters < 1 || masters > 16) {
    throw new RangeError(`Expected \`masters\` to be an integer from 1 to 16, got \`${String(masters)}\` (${typeof masters})`);
  }
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 5_000;
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
  const dir = await mkdtemp(join(tmpdir(), 'breakwater-redis-cluster-'));
  removeOnExit(dir);

  const started = await Promise.allSettled(
    Array.from({ length: masters }, () =>
      startRedis({
        cwd: dir,
        args: async (port) => [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-port',
          String(await freePort()),
          '--cluster-node-timeout',
          String(nodeTimeoutMs),
          ...(options.args ?? []),
        ],
      }),
    ),
  );
  const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const clients = new Set<Cluster>();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // A Cluster reaches `end` only once every node connection closed; wait for it, bounded.
      const ended = [...clients].map(
        (client) =>
          new Promise((resolve) => {
            if (client.status === 'end') return resolve(undefined);
            const timer = realSetTimeout(resolve, 2_000);
            client.once('end', () => {
              realClearTimeout(timer);
              resolve(undefined);
            });
          }),
      );
      for (const client of clients) client.disconnect();
      clients.clear();
      await Promise.all(nodes.map((node) => node.stop()));
      await Promise.all(ended);
      await rm(dir, { recursive: true, force: true });
      forgetDir(dir);
    })();
    return stopping;
  };

  try {
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    await formCluster(nodes, readyTimeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }

  const startupNodes = nodes.map((node) => ({ host: node.host, port: node.port }));
  return {
    nodes,
    startupNodes,
    dir,
    async client(clientOptions: ClusterOptions = {}) {
      if (stopping) throw new Error('RedisCluster.client(): the cluster was stopped');
      const client = new Cluster(startupNodes.map((node) => ({ ...node })), {
        enableOfflineQueue: false,
        clusterRetryStrategy: (times: number) => Math.min(times * 10, 100),
        slotsRefreshTimeout: 2_000,
        ...clientOptions,
        redisOptions: { maxRetriesPerRequest: 1, connectTimeout: 2_000, ...clientOptions.redisOptions },
      });
      client.on('error', () => {});
      clients.add(client);
      client.once('end', () => clients.delete(client));
      if (clientOptions.lazyConnect) return client;
      await waitUntilReady(client, readyTimeoutMs, 'cluster client');
      return client;
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

async function formCluster(nodes: readonly RedisServer[], readyTimeoutMs: number): Promise<void> {
  const admins = await Promise.all(nodes.map((node) => node.client()));
  try {
    await Promise.all(
      admins.map(async (admin, index) => {
        const first = Math.floor((index * SLOTS) / nodes.length);
        const last = Math.floor(((index + 1) * SLOTS) / nodes.length) - 1;
        await admin.call('CLUSTER', 'ADDSLOTSRANGE', first, last);
        // Distinct epochs spare the cluster its epoch-collision round (redis-cli does the same).
        await admin.call('CLUSTER', 'SET-CONFIG-EPOCH', index + 1);
      }),
    );
    // Every pair meets directly instead of waiting for gossip to spread the news.
    const busPorts = await Promise.all(admins.map(async (admin) => ((await admin.call('CONFIG', 'GET', 'cluster-port')) as string[])[1]!));
    await Promise.all(
      admins.flatMap((admin, from) =>
        nodes.flatMap((node, to) => (to > from ? [admin.call('CLUSTER', 'MEET', node.host, node.port, busPorts[to]!)] : [])),
      ),
    );

    const deadline = realNow() + readyTimeoutMs;
    let infos: string[] = [];
    for (;;) {
      infos = await Promise.all(admins.map((admin) => admin.call('CLUSTER', 'INFO') as Promise<string>));
      const ready = infos.every(
        (info) =>
          info.includes('cluster_state:ok') &&
          info.includes(`cluster_known_nodes:${nodes.length}\r`) &&
          info.includes(`cluster_slots_assigned:${SLOTS}\r`),
      );
      if (ready) return;
      if (realNow() >= deadline) break;
      // Polling the cluster's state with a deadline; never a fixed sleep.
      await new Promise((resolve) => realSetTimeout(resolve, 10));
    }
    const report = nodes
      .map((node, index) => `node ${node.port}:\n${infos[index]?.split('\r\n').slice(0, 8).join('\n')}\noutput (tail):\n${node.output.slice(-1_000)}`)
      .join('\n\n');
    throw new Error(`startRedisCluster: the cluster did not reach cluster_state:ok on every node within ${readyTimeoutMs}ms.\n${report}`);
  } finally {
    for (const admin of admins) admin.disconnect();
  }
}
