import {
  assertDuration,
  assertFunction,
  assertInteger,
  assertKnownOptions,
  assertMethods,
  assertString,
  describeValue,
  invalidOption,
  systemClock,
  withDefaults,
  type Clock,
} from '@breakwater/core';
import { jsonSerializer } from './serializer.ts';
import type { InvalidationBus, LoaderLock, RemoteTier, Serializer } from './types.ts';
import { resolveWriteBehind, resolveWriteThrough, type ResolvedWriteBehind, type WriteBehindOptions, type WriteThroughOptions } from './write-options.ts';

/** How long an entry stays fresh, in ms: a number, or a function of the loaded/set value. */
export type Ttl<V> = number | ((value: V) => number);

/** Bounds of the in-process tier (an lru-cache). */
export interface L1Options<V> {
  /** Entries at most. Integer ≥ 1. @default 10_000 (unless `maxSize` is given alone) */
  readonly max?: number;
  /** Total size at most, as measured by `sizeCalculation`. Integer ≥ 1. @default none */
  readonly maxSize?: number;
  /** Size of one entry (a positive integer); required with `maxSize`. */
  readonly sizeCalculation?: (value: V, key: string) => number;
}

/** Freshness options, settable per cache and per call. */
export interface FreshnessOptions<V> {
  /** Fresh for this long (ms), or a function of the value. `Infinity`: never expires. @default Infinity */
  readonly ttl?: Ttl<V>;
  /**
   * Stale-while-revalidate window (ms) after the entry stops being fresh: a read gets the stale
   * value at once and one background reload (single flight) refreshes it.
   * @default 0
   */
  readonly staleWhileRevalidate?: number;
  /**
   * Stale-if-error window (ms) after the entry stops being fresh: a read reloads, and if the
   * loader fails or times out, gets the stale value instead of the error.
   * @default 0
   */
  readonly grace?: number;
}

export interface CacheOptions<V> extends FreshnessOptions<V> {
  /** A name for events, errors and metric labels. @default 'cache' */
  readonly name?: string;
  /**
   * Prefix of every L2 key and invalidation message (`<namespace>:<key>`); `''` for none. No `:`
   * in it: that separates it from the key. @default ''
   */
  readonly namespace?: string;
  /** The in-process tier's bounds. @default { max: 10_000 } */
  readonly l1?: L1Options<V>;
  /** The shared tier, e.g. `redisTier()` from `@breakwater/cache/redis`. @default none */
  readonly l2?: RemoteTier;
  /** How values cross to L2. @default jsonSerializer */
  readonly serializer?: Serializer<V>;
  /** Cross-instance L1 invalidation; every set/delete publishes on it. @default none */
  readonly bus?: InvalidationBus;
  /** Cross-instance single flight (needs `l2`: the waiters read the holder's value from it). @default none (one load per instance) */
  readonly lock?: LoaderLock;
  /** How long a loader lock is held at most, in ms. @default 10_000 */
  readonly lockTtl?: number;
  /** How long an instance that lost the lock waits for the holder's value in L2 before loading itself, in ms. @default lockTtl */
  readonly lockWait?: number;
  /** How often a waiting instance looks in L2, in ms. @default 50 */
  readonly lockPollInterval?: number;
  /** Loader deadline in ms (its signal aborts with a `TimeoutError`); `Infinity` for none. @default Infinity */
  readonly timeout?: number;
  /**
   * After a loader failure served the stale value (grace), the stale value is served without
   * calling the loader again for this long (ms), so a failing source is not hit on every read.
   * @default 0
   */
  readonly graceBackoff?: number;
  /** Time source (`epochNow()` for entry times, `now()` for durations, timers). @default systemClock */
  readonly clock?: Clock;
  /** Makes `set()` write the source of truth first. Exclusive with `writeBehind`. @default none */
  readonly writeThrough?: WriteThroughOptions<V>;
  /** Makes `set()` queue the write for the source of truth. Exclusive with `writeThrough`. @default none */
  readonly writeBehind?: WriteBehindOptions<V>;
}

export interface ResolvedFreshness<V> {
  readonly ttl: Ttl<V>;
  readonly staleWhileRevalidate: number;
  readonly grace: number;
}

export interface ResolvedCacheOptions<V> extends ResolvedFreshness<V> {
  readonly name: string;
  readonly namespace: string;
  readonly l1: L1Options<V>;
  readonly l2: RemoteTier | undefined;
  readonly serializer: Serializer<V>;
  readonly bus: InvalidationBus | undefined;
  readonly lock: LoaderLock | undefined;
  readonly lockTtl: number;
  readonly lockWait: number;
  readonly lockPollInterval: number;
  readonly timeout: number;
  readonly graceBackoff: number;
  readonly clock: Clock;
  readonly writeThrough: WriteThroughOptions<V> | undefined;
  readonly writeBehind: ResolvedWriteBehind<V> | undefined;
}

const DEFAULTS = {
  name: 'cache',
  namespace: '',
  ttl: Infinity,
  staleWhileRevalidate: 0,
  grace: 0,
  graceBackoff: 0,
  timeout: Infinity,
  lockTtl: 10_000,
  lockPollInterval: 50,
  clock: systemClock,
  serializer: jsonSerializer,
} as const;
const KNOWN = [...Object.keys(DEFAULTS), 'l1', 'l2', 'bus', 'lock', 'lockWait', 'writeThrough', 'writeBehind'];

/** A duration that may also be `Infinity` (never). */
function assertDurationOrInfinity(name: string, value: unknown, min = 0): asserts value is number {
  if (value !== Infinity) assertDuration(name, value, { min });
}

export function assertTtl(name: string, value: unknown): void {
  if (typeof value !== 'function') assertDurationOrInfinity(name, value);
}

/** Checks the per-call freshness options (also used by `getOrLoad` and `set` options). */
export function assertFreshness<V>(prefix: string, options: FreshnessOptions<V>): void {
  if (options.ttl !== undefined) assertTtl(`${prefix}ttl`, options.ttl);
  if (options.staleWhileRevalidate !== undefined) assertDuration(`${prefix}staleWhileRevalidate`, options.staleWhileRevalidate);
  if (options.grace !== undefined) assertDuration(`${prefix}grace`, options.grace);
}

function resolveL1<V>(l1: L1Options<V> | undefined): L1Options<V> {
  if (l1 === undefined) return { max: 10_000 };
  if (l1 === null || typeof l1 !== 'object') throw invalidOption(`Expected \`l1\` to be an object, got ${String(l1)}`);
  assertKnownOptions('l1', l1, ['max', 'maxSize', 'sizeCalculation']);
  if (l1.max !== undefined) assertInteger('l1.max', l1.max, { min: 1 });
  if (l1.maxSize !== undefined) {
    assertInteger('l1.maxSize', l1.maxSize, { min: 1 });
    assertFunction('l1.sizeCalculation', l1.sizeCalculation);
  } else if (l1.sizeCalculation !== undefined) {
    throw invalidOption('Expected `l1.maxSize` to be an integer from 1 and up when `l1.sizeCalculation` is given, got `undefined` (undefined)');
  }
  return l1.max === undefined && l1.maxSize === undefined ? { ...l1, max: 10_000 } : l1;
}

/** Checks every option once, at construction, and fills in the defaults. */
export function resolveCacheOptions<V>(options: CacheOptions<V> | undefined): ResolvedCacheOptions<V> {
  const config = withDefaults('createCache()', DEFAULTS, options);
  assertKnownOptions('createCache()', config, KNOWN);
  assertString('name', config.name, { min: 1 });
  assertString('namespace', config.namespace);
  // ':' separates the namespace from the key: namespace 'a:b' with key 'c' and namespace 'a'
  // with key 'b:c' would share one L2 entry and one bus message.
  if (config.namespace.includes(':')) {
    throw invalidOption(`Expected \`namespace\` to contain no ':' (it separates the namespace from the key), got ${describeValue(config.namespace)}`, 'range');
  }
  assertTtl('ttl', config.ttl);
  assertDuration('staleWhileRevalidate', config.staleWhileRevalidate);
  assertDuration('grace', config.grace);
  assertDuration('graceBackoff', config.graceBackoff);
  assertDurationOrInfinity('timeout', config.timeout, 1);
  assertDuration('lockTtl', config.lockTtl, { min: 1 });
  const lockWait = config.lockWait ?? config.lockTtl;
  assertDuration('lockWait', lockWait);
  assertDuration('lockPollInterval', config.lockPollInterval, { min: 1 });
  assertMethods('clock', config.clock, ['now', 'epochNow', 'setTimeout', 'clearTimeout']);
  assertMethods('serializer', config.serializer, ['serialize', 'deserialize']);
  if (config.l2 !== undefined) assertMethods('l2', config.l2, ['get', 'set', 'delete', 'deleteTags', 'deletePrefix']);
  if (config.bus !== undefined) assertMethods('bus', config.bus, ['publish', 'subscribe']);
  if (config.lock !== undefined) {
    assertMethods('lock', config.lock, ['acquire']);
    if (config.l2 === undefined) {
      throw invalidOption('Expected `l2` to be a RemoteTier when `lock` is given, got `undefined` (undefined): instances that lose the lock read the value from L2');
    }
  }
  if (config.writeThrough !== undefined && config.writeBehind !== undefined) {
    throw invalidOption('Expected at most one of `writeThrough` and `writeBehind`, got both');
  }
  return {
    name: config.name,
    namespace: config.namespace,
    ttl: config.ttl as Ttl<V>,
    staleWhileRevalidate: config.staleWhileRevalidate,
    grace: config.grace,
    graceBackoff: config.graceBackoff,
    timeout: config.timeout,
    l1: resolveL1(config.l1),
    l2: config.l2,
    serializer: config.serializer as Serializer<V>,
    bus: config.bus,
    lock: config.lock,
    lockTtl: config.lockTtl,
    lockWait,
    lockPollInterval: config.lockPollInterval,
    clock: config.clock,
    writeThrough: config.writeThrough === undefined ? undefined : resolveWriteThrough<V>(config.writeThrough),
    writeBehind: config.writeBehind === undefined ? undefined : resolveWriteBehind(config.writeBehind),
  };
}
