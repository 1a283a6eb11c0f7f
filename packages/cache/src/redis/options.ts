import {
  assertDuration,
  assertInteger,
  assertKnownOptions,
  assertMethods,
  assertString,
  invalidOption,
  systemClock,
  withDefaults,
  type Clock,
} from '@breakwater/core';
import type { RedisGuardSettings } from './redis-guard.ts';

/** Options every Redis part takes (tier, bus, lock). */
export interface RedisConnectionOptions {
  /**
   * Prepended to every key and channel we write, so the cache's keys stay apart from the rest of
   * the database. Entries live under `<prefix>e:`, tag sets under `<prefix>t:`, loader locks
   * under `<prefix>l:`, and the bus publishes on `<prefix>bus`. Up to 256 characters, without
   * CR/LF. @default 'bw:cache:'
   */
  readonly prefix?: string;
  /**
   * Upper bound for every Redis command, in ms (1–60 000). ioredis parks commands while it
   * reconnects and a hung server never answers, so each call races this timer.
   * @default 200
   */
  readonly commandTimeoutMs?: number;
  /** Consecutive availability failures (timeouts, lost connections) that open the breaker (1–1000). @default 3 */
  readonly breakerThreshold?: number;
  /** How long the open breaker sheds calls before one probe goes through, in ms (1 ms–24 h). @default 5_000 */
  readonly breakerOpenMs?: number;
  /** Time source for the timeout and the breaker. @default systemClock */
  readonly clock?: Clock;
}

export const CONNECTION_DEFAULTS = {
  prefix: 'bw:cache:',
  commandTimeoutMs: 200,
  breakerThreshold: 3,
  breakerOpenMs: 5_000,
  clock: systemClock,
} as const satisfies Required<RedisConnectionOptions>;

export const CONNECTION_OPTION_NAMES = ['prefix', 'commandTimeoutMs', 'breakerThreshold', 'breakerOpenMs', 'clock'] as const;

export interface ResolvedConnection extends RedisGuardSettings {
  readonly prefix: string;
}

/**
 * Merges `defaults` with `options` (undefined keeps the default), rejects unknown keys and checks
 * the connection options; the caller checks its own extras on the returned object.
 */
export function resolveOptions<D extends Required<RedisConnectionOptions>, O extends RedisConnectionOptions>(
  factory: string,
  known: readonly string[],
  defaults: D,
  options: O | undefined,
): D & O {
  const config = withDefaults(factory, defaults, options);
  assertKnownOptions(factory, options ?? {}, known);
  assertString('prefix', config.prefix, { max: 256 });
  if (/[\r\n]/.test(config.prefix)) throw invalidOption(`Expected \`prefix\` to contain no CR or LF, got ${JSON.stringify(config.prefix)}`);
  assertDuration('commandTimeoutMs', config.commandTimeoutMs, { min: 1, max: 60_000 });
  assertInteger('breakerThreshold', config.breakerThreshold, { min: 1, max: 1_000 });
  assertDuration('breakerOpenMs', config.breakerOpenMs, { min: 1, max: 86_400_000 });
  assertMethods('clock', config.clock, ['now', 'epochNow', 'setTimeout', 'clearTimeout']);
  return config;
}

/** Checks that `client` looks like an ioredis `Redis` or `Cluster`. */
export function assertClient(factory: string, client: unknown): void {
  const ok =
    client !== null &&
    typeof client === 'object' &&
    typeof (client as { status?: unknown }).status === 'string' &&
    ['get', 'set', 'publish', 'evalsha', 'duplicate'].every((method) => typeof (client as Record<string, unknown>)[method] === 'function');
  if (!ok) throw invalidOption(`Expected the client of ${factory} to be an ioredis Redis or Cluster instance, got ${client === null ? 'null' : typeof client}`);
}
