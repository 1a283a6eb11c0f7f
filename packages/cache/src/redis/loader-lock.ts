import { randomUUID } from 'node:crypto';
import { assertInteger, type Event } from '@breakwater/core';
import type { LoaderLock, LockLease } from '../types.ts';
import type { L2BreakerState } from './breaker.ts';
import type { RedisClient } from './client.ts';
import type { BreakerCloseEvent, BreakerOpenEvent, RedisErrorEvent } from './events.ts';
import { keyLayout, type KeyLayout } from './keys.ts';
import { assertClient, CONNECTION_DEFAULTS, CONNECTION_OPTION_NAMES, resolveOptions, type RedisConnectionOptions } from './options.ts';
import { RedisGuard } from './redis-guard.ts';
import { luaScript, runScript } from './script.ts';

export type RedisLoaderLockOptions = RedisConnectionOptions;

/** A {@link LoaderLock} on Redis, with its breaker state and events. */
export interface RedisLoaderLock extends LoaderLock {
  readonly breakerState: L2BreakerState;
  readonly onError: Event<RedisErrorEvent>;
  readonly onBreakerOpen: Event<BreakerOpenEvent>;
  readonly onBreakerClose: Event<BreakerCloseEvent>;
}

/** Deletes the lock only while it still holds our token: a lease that expired and was taken by another instance is left alone. */
const RELEASE_SCRIPT = luaScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`);

/**
 * Cross-instance single flight: `SET <prefix>l:<key> <token> NX PX <ttlMs>` takes the lock, a
 * compare-and-delete script (EVALSHA, EVAL on NOSCRIPT) releases it. `acquire` resolves
 * `undefined` when another instance holds the lock and rejects with `L2UnavailableError` when
 * Redis does not answer within `commandTimeoutMs` (or the breaker is open), so the cache falls
 * back to its local flight. A SET that timed out may still land: it then expires after `ttlMs`.
 */
export function redisLoaderLock(client: RedisClient, options?: RedisLoaderLockOptions): RedisLoaderLock {
  assertClient('redisLoaderLock()', client);
  const config = resolveOptions('redisLoaderLock()', CONNECTION_OPTION_NAMES, CONNECTION_DEFAULTS, options);
  const guard = new RedisGuard(client, config);
  const keys: KeyLayout = keyLayout(config.prefix);

  async function acquire(key: string, ttlMs: number): Promise<LockLease | undefined> {
    assertInteger('ttlMs', ttlMs, { min: 1, max: 2_147_483_647 });
    const lockKey = keys.lock(key);
    const token = randomUUID();
    const reply = await guard.run('acquire', () => client.set(lockKey, token, 'PX', ttlMs, 'NX'));
    if (reply !== 'OK') return undefined;
    let released: Promise<void> | undefined;
    return {
      release: () => {
        released ??= guard.run('release', async () => void (await runScript(client, RELEASE_SCRIPT, [lockKey], [token])));
        return released;
      },
    };
  }

  return {
    acquire,
    get breakerState() {
      return guard.breakerState;
    },
    onError: guard.onError,
    onBreakerOpen: guard.onBreakerOpen,
    onBreakerClose: guard.onBreakerClose,
  };
}
