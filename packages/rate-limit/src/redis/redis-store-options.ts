import { assertBoolean, assertDuration, assertFunction, assertKnownOptions, assertMethods, assertString, describeValue, invalidOption, systemClock, withDefaults, type Clock } from '@breakwater/core';

export interface RedisStoreOptions {
  /**
   * Prepended to every key, before the `{hash tag}`. Printable ASCII without `{`, `}` or spaces.
   * @default 'bw:rl:'
   */
  readonly prefix?: string;
  /**
   * Upper bound of one decision, in ms, whatever the client does (offline queue, reconnects, a
   * paused server): the decision then fails with `RateLimitStoreTimeoutError` and the limiter
   * applies its outage mode. From 1.
   * @default 250
   */
  readonly commandTimeoutMs?: number;
  /**
   * **For tests only.** Epoch ms to use instead of Redis `TIME`, read on every decision, so tests
   * move time without sleeping. In production Redis's clock is the only one that counts, which is
   * what keeps app servers with skewed clocks from over-admitting. With it, keys live 10 minutes
   * (GCRA with one limit: 10 to 20 minutes) longer than the limits need, so real time passing
   * during a test never expires them.
   * @default undefined (Redis TIME)
   */
  readonly now?: () => number;
  /** Schedules the command timeout. @default systemClock */
  readonly clock?: Clock;
  /**
   * Decisions made in the same turn of the event loop (sent in its check phase, so a server's
   * concurrent requests are included) share one socket write (an ioredis pipeline) and one command
   * timer, and a limiter's GCRA decisions with one limit (the default) share one `EVALSHA` (up to
   * 128 per call), which decides them one after the other; each still reaches Redis in one round
   * trip and is decided atomically. Ignored on Cluster. `false` sends each on its own.
   * @default true
   */
  readonly batch?: boolean;
}

export interface ResolvedRedisStoreOptions {
  readonly prefix: string;
  readonly commandTimeoutMs: number;
  readonly now: (() => number) | undefined;
  readonly clock: Clock;
  readonly batch: boolean;
}

const KNOWN = ['prefix', 'commandTimeoutMs', 'now', 'clock', 'batch'] as const;
const PREFIX = /^[\x21-\x7a\x7c\x7e]*$/;

export function resolveRedisStoreOptions(options: RedisStoreOptions | undefined): ResolvedRedisStoreOptions {
  const config = withDefaults('redisStore()', { prefix: 'bw:rl:', commandTimeoutMs: 250, clock: systemClock, batch: true }, options) as {
    prefix: string;
    commandTimeoutMs: number;
    clock: Clock;
    batch: boolean;
    now?: () => number;
  };
  assertKnownOptions('redisStore()', config, KNOWN);
  assertString('prefix', config.prefix, { max: 128 });
  if (!PREFIX.test(config.prefix)) {
    throw invalidOption(`Expected \`prefix\` to be printable ASCII without \`{\`, \`}\` or spaces, got ${describeValue(config.prefix)}`);
  }
  assertDuration('commandTimeoutMs', config.commandTimeoutMs, { min: 1 });
  if (config.now !== undefined) assertFunction('now', config.now);
  assertMethods('clock', config.clock, ['setTimeout', 'clearTimeout']);
  assertBoolean('batch', config.batch);
  return { prefix: config.prefix, commandTimeoutMs: config.commandTimeoutMs, now: config.now, clock: config.clock, batch: config.batch };
}
