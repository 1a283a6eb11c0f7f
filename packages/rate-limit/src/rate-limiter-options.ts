import {
  assertBoolean,
  assertDuration,
  assertInteger,
  assertKnownOptions,
  assertMethods,
  assertOneOf,
  assertString,
  describeValue,
  invalidOption,
  systemClock,
  withDefaults,
  type Clock,
} from '@breakwater/core';
import { ALGORITHM_NAMES, type AlgorithmName } from './algorithms/algorithm.ts';
import type { OutageMode } from './events.ts';
import { resolveLimits, type LimitOptions } from './limits.ts';
import { MemoryStore } from './memory-store.ts';
import type { RateLimitStore } from './store.ts';
import type { LimitDescription } from './types.ts';

export interface RateLimiterOptions {
  /** One limit or several, all checked atomically per key (`[{ quota: 10, windowMs: 1_000 }, { quota: 1_000, windowMs: 3_600_000 }]`). Required. */
  readonly limits: LimitOptions | readonly LimitOptions[];
  /**
   * - `'gcra'`: smooth, one timestamp per limit and key; the default.
   * - `'token-bucket'`: the same admissions as GCRA, stored as tokens + timestamp.
   * - `'sliding-window'`: counter-weighted sliding window; windowed quotas without edge bursts.
   * - `'fixed-window'`: a counter per window; bursts of up to 2 × quota across an edge.
   * @default 'gcra'
   */
  readonly algorithm?: AlgorithmName;
  /**
   * A name for events, errors, metric labels and the store's key namespace. Letters, digits and
   * `-_.:/`. In Redis the algorithm and limits are hashed into the keys too, so limiters with the
   * same name but different limits never share state. @default 'rate-limit'
   */
  readonly name?: string;
  /** Where the state lives. @default memoryStore() (per limiter, with this limiter's clock) */
  readonly store?: RateLimitStore;
  /**
   * What a decision does when the store fails (error or timeout):
   * - `'memory-fallback'`: decide with a per-process memory limiter (quotas divided by `instances`);
   * - `'fail-open'`: admit without counting (`source: 'fail-open'`);
   * - `'fail-closed'`: reject with `RateLimitUnavailableError` (503).
   * After a failure the store is left alone for `recoverAfterMs`, then one call probes it.
   * @default 'memory-fallback'
   */
  readonly outage?: OutageMode;
  /**
   * How many processes share the store: during an outage each process's fallback limiter gets
   * `quota / instances` (rounded up), so the fleet together stays near the quota. Integer from 1.
   * @default 1
   */
  readonly instances?: number;
  /** After a store failure, ms to decide without the store before one call probes it again. @default 1_000 */
  readonly recoverAfterMs?: number;
  /**
   * Count denied requests too (a client that keeps hammering stays locked out). A denial's
   * `retryAfterMs` then includes the denied request, so waiting exactly that long admits.
   * @default false
   */
  readonly consumeWhenDenied?: boolean;
  /** The key `execute()` decides for: a string, or a function called on each `execute()`. @default 'global' */
  readonly key?: string | (() => string);
  /** The cost of one `execute()`: a number, or a function called on each `execute()`. @default 1 */
  readonly cost?: number | (() => number);
  /** Time source for the outage cooldown, durations and the default memory store. @default systemClock */
  readonly clock?: Clock;
}

export interface ResolvedRateLimiterOptions {
  readonly limits: readonly LimitDescription[];
  readonly algorithm: AlgorithmName;
  readonly name: string;
  readonly store: RateLimitStore;
  readonly outage: OutageMode;
  readonly instances: number;
  readonly recoverAfterMs: number;
  readonly consumeWhenDenied: boolean;
  readonly key: string | (() => string);
  readonly cost: number | (() => number);
  readonly clock: Clock;
  /** The smallest quota: no cost above it can ever be admitted. */
  readonly maxCost: number;
}

const DEFAULTS = {
  algorithm: 'gcra',
  name: 'rate-limit',
  outage: 'memory-fallback',
  instances: 1,
  recoverAfterMs: 1_000,
  consumeWhenDenied: false,
  key: 'global',
  cost: 1,
  clock: systemClock,
} as const;

const KNOWN = ['limits', 'algorithm', 'name', 'store', 'outage', 'instances', 'recoverAfterMs', 'consumeWhenDenied', 'key', 'cost', 'clock'] as const;
const OUTAGE_MODES: readonly OutageMode[] = ['memory-fallback', 'fail-open', 'fail-closed'];
const NAME = /^[A-Za-z0-9_.:/-]{1,64}$/;

/** Checks every option once, at construction, and fills in the defaults. */
export function resolveRateLimiterOptions(options: RateLimiterOptions): ResolvedRateLimiterOptions {
  const config = withDefaults('rateLimit()', DEFAULTS, options) as typeof DEFAULTS & Partial<RateLimiterOptions>;
  assertKnownOptions('rateLimit()', config, KNOWN);
  const limits = resolveLimits(config.limits);
  assertOneOf('algorithm', config.algorithm, ALGORITHM_NAMES);
  assertString('name', config.name, { min: 1, max: 64 });
  if (!NAME.test(config.name)) throw invalidOption(`Expected \`name\` to use letters, digits and -_.:/ only, got ${describeValue(config.name)}`);
  assertOneOf('outage', config.outage, OUTAGE_MODES);
  assertInteger('instances', config.instances, { min: 1, max: 10_000 });
  assertDuration('recoverAfterMs', config.recoverAfterMs, { min: 0 });
  assertBoolean('consumeWhenDenied', config.consumeWhenDenied);
  if (typeof config.key !== 'function') assertString('key', config.key, { max: 65_536 });
  const maxCost = Math.min(...limits.map((l) => l.quota));
  if (typeof config.cost !== 'function') assertCost(config.cost, maxCost, 'cost');
  assertMethods('clock', config.clock, ['now']);
  const store = config.store ?? new MemoryStore({ clock: config.clock });
  assertMethods('store', store, ['decide']);
  return {
    limits,
    algorithm: config.algorithm,
    name: config.name,
    store,
    outage: config.outage,
    instances: config.instances,
    recoverAfterMs: config.recoverAfterMs,
    consumeWhenDenied: config.consumeWhenDenied,
    key: config.key,
    cost: config.cost,
    clock: config.clock,
    maxCost,
  };
}

/**
 * A cost is a finite number from 0 (a peek that counts nothing) to the smallest quota: a larger
 * cost could never be admitted, which is a bug to report rather than a 429 to repeat forever.
 */
export function assertCost(cost: unknown, maxCost: number, name = 'cost'): asserts cost is number {
  if (typeof cost !== 'number' || !(cost >= 0 && cost <= maxCost)) {
    const error = invalidOption(`Expected \`${name}\` to be a number from 0 to ${maxCost} (the smallest quota), got ${describeValue(cost)}`, typeof cost === 'number' ? 'range' : 'type');
    throw error;
  }
}
