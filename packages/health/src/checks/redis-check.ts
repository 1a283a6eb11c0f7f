import { assertKnownOptions, assertMethods, systemClock, withDefaults, type Clock } from '@breakwater/core';
import type { CheckDefinition } from '../check.ts';

/** What `redisCheck` needs: an ioredis `Redis` or `Cluster` fits, and so does anything with `ping()`. */
export interface RedisLike {
  ping(): Promise<string>;
  /** ioredis' connection state; when present and not `ready`, the check fails without pinging. */
  readonly status?: string;
}

export interface RedisCheckOptions {
  /** Time source for the round-trip time. @default systemClock */
  readonly clock?: Clock;
}

/**
 * Pings Redis and reports the round trip (`"<name>:responseTime"`, in ms). A client that is not
 * `ready` (reconnecting after the server died) fails at once, without queueing a PING; a hung
 * server (no answer) fails at the check's timeout. The PING is not cancelled at the timeout
 * (ioredis cannot); the runner starts no new one until it settles.
 *
 * @example
 * health.register('redis', redisCheck(redis), { timeoutMs: 300 });
 */
export function redisCheck(client: RedisLike, options?: RedisCheckOptions): CheckDefinition {
  assertMethods('client', client, ['ping']);
  const config = withDefaults('redisCheck()', { clock: systemClock }, options);
  assertKnownOptions('redisCheck()', config, ['clock']);
  assertMethods('clock', config.clock, ['now']);
  const { clock } = config;
  return {
    measurement: 'responseTime',
    componentType: 'datastore',
    async run() {
      const status = client.status;
      if (status !== undefined && status !== 'ready') return { status: 'fail', output: `the client is ${status}, not ready` };
      const started = clock.now();
      const reply = await client.ping();
      const observedValue = Math.round((clock.now() - started) * 100) / 100;
      if (reply !== 'PONG') return { status: 'fail', observedValue, observedUnit: 'ms', output: 'PING was not answered with PONG' };
      return { status: 'pass', observedValue, observedUnit: 'ms' };
    },
  };
}
