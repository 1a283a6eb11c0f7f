import { BreakwaterError, type Clock, type TimerHandle } from '@breakwater/core';
import type { Cluster, Redis } from 'ioredis';
import type { Script } from './scripts.ts';

export type RedisClient = Redis | Cluster;

/**
 * Runs `script` by EVALSHA, falling back to EVAL when Redis has not seen it (first use, a
 * restart, SCRIPT FLUSH, a failover), the whole exchange bounded by `timeoutMs`. ioredis
 * queues commands while disconnected (`enableOfflineQueue`) and may retry them, so without our
 * own bound a call during an outage could hang as long as the client keeps trying.
 */
export function runScript(
  client: RedisClient,
  script: Script,
  keys: readonly string[],
  args: readonly (string | number)[],
  timeoutMs: number,
  clock: Clock,
): Promise<unknown> {
  const call = (async () => {
    try {
      return await client.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await client.eval(script.source, keys.length, ...keys, ...args);
    }
  })();
  return withTimeout(call, timeoutMs, clock);
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, clock: Clock): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: TimerHandle | undefined = clock.setTimeout(() => {
      timer = undefined;
      reject(new BreakwaterError(`Redis did not answer within ${timeoutMs}ms`, 'ERR_BREAKWATER_IDEMPOTENCY_STORE_TIMEOUT'));
    }, timeoutMs);
    // A late answer or error after the timeout is dropped here, never left unhandled.
    promise.then(
      (value) => {
        if (timer !== undefined) clock.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (timer !== undefined) clock.clearTimeout(timer);
        reject(error);
      },
    );
  });
}
