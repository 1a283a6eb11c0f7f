import type { Cluster, Redis } from 'ioredis';
import type { Clock } from '@breakwater/core';

/**
 * The ioredis client the user owns: a standalone `Redis` or a `Cluster`. Only types are imported,
 * so ioredis stays an optional peer dependency.
 */
export type RedisClient = Redis | Cluster;

export function isCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true;
}

/**
 * Connection states in which a command may be sent. Anything else (`connecting`, `reconnecting`,
 * `close`, `end`) means ioredis would park the command in its offline queue, where it could run
 * long after we gave up on it (a late SET would resurrect an old value), so we fail at once.
 * `wait` is a lazyConnect client that connects on its first command; `connect` is connected and
 * running its ready check.
 */
export function canSend(client: RedisClient): boolean {
  const status = client.status;
  return status === 'ready' || status === 'wait' || status === 'connect';
}

/**
 * ioredis' `keyPrefix` option, which it prepends to every key argument it sends, but neither to
 * a SCAN MATCH pattern nor to the keys SCAN returns; `deletePrefix` must add it to the one and
 * strip it from the other.
 */
export function clientKeyPrefix(client: RedisClient): string {
  const options = client.options as { keyPrefix?: unknown; redisOptions?: { keyPrefix?: unknown } };
  const prefix = options.keyPrefix ?? options.redisOptions?.keyPrefix;
  return typeof prefix === 'string' ? prefix : '';
}

/** The clients to SCAN: every master of a Cluster, or the client itself. */
export function scanTargets(client: RedisClient): readonly Redis[] {
  return isCluster(client) ? client.nodes('master') : [client];
}

/**
 * Unlinks `keys`. One multi-key UNLINK on a standalone server; on a Cluster one UNLINK per key,
 * since keys in different hash slots may not share a command (CROSSSLOT), and ioredis writes
 * them all before any answer arrives, so this still costs one round trip per node.
 */
export async function unlinkAll(client: RedisClient, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  if (!isCluster(client)) {
    await client.unlink(...keys);
    return;
  }
  await Promise.all(keys.map((key) => client.unlink(key)));
}

/**
 * QUIT (pending replies arrive first), bounded by `timeoutMs`; then a hard disconnect, so a hung
 * or dead server cannot hold `close()` open.
 */
export async function quitBounded(client: RedisClient, timeoutMs: number, clock: Clock): Promise<void> {
  if (client.status === 'end') return;
  if (!canSend(client)) {
    client.disconnect();
    return;
  }
  let timer: unknown;
  const bound = new Promise<false>((resolve) => {
    timer = clock.setTimeout(() => resolve(false), timeoutMs);
  });
  const quit = client.quit().then(
    () => true,
    () => false,
  );
  const quitted = await Promise.race([quit, bound]);
  clock.clearTimeout(timer);
  // Only when QUIT did not finish: a Cluster disconnected after a successful quit() goes back
  // to `disconnecting` and emits a second `close` after `end` (ioredis 5.11).
  if (!quitted && !hasEnded(client)) client.disconnect();
}

/** A fresh read of the status (TypeScript would keep an earlier narrowing across an await). */
function hasEnded(client: RedisClient): boolean {
  return client.status === 'end';
}
