import { assertKnownOptions, assertMethods, assertString, systemClock, withDefaults, type Clock, assertInteger, invalidOption } from '@breakwater/core';
import { resolveAdaptive, type AdaptiveOptions, type ResolvedAdaptive } from './adaptive.ts';

interface BulkheadCommonOptions {
  /**
   * Callers that may wait (first in, first out) when every slot is taken; one more is rejected
   * at once. A finite integer ≥ 0: an unbounded queue only turns overload into memory growth
   * and unbounded waits.
   * @default 0
   */
  readonly queue?: number;
  /** A name for events, errors and metrics labels. @default 'bulkhead' */
  readonly name?: string;
  /** Time source for durations and adaptive latency samples (only `now()` is used). @default systemClock */
  readonly clock?: Clock;
}

/** A bulkhead with a fixed number of slots. */
export interface FixedBulkheadOptions extends BulkheadCommonOptions {
  /** Calls that may run at once. Integer ≥ 1. Required. */
  readonly capacity: number;
  readonly adaptive?: undefined;
}

/** A bulkhead whose number of slots follows observed latency and drops. */
export interface AdaptiveBulkheadOptions extends BulkheadCommonOptions {
  /**
   * The initial limit, the same as `adaptive.initial` (give one or the other); within
   * [`adaptive.min`, `adaptive.max`].
   * @default adaptive.initial
   */
  readonly capacity?: number;
  /** Makes the limit adaptive: `{ algorithm: 'aimd' | 'gradient', … }`. */
  readonly adaptive: AdaptiveOptions;
}

export type BulkheadOptions = FixedBulkheadOptions | AdaptiveBulkheadOptions;

export interface ResolvedBulkheadOptions {
  /** The (initial) limit. */
  readonly capacity: number;
  readonly queue: number;
  readonly name: string;
  readonly clock: Clock;
  readonly adaptive: ResolvedAdaptive | undefined;
}

const DEFAULTS = { queue: 0, name: 'bulkhead', clock: systemClock } as const;
const KNOWN = ['capacity', 'queue', 'name', 'clock', 'adaptive'] as const;

/** Checks every option once, at construction, and fills in the defaults. */
export function resolveBulkheadOptions(options: BulkheadOptions | number): ResolvedBulkheadOptions {
  const config = withDefaults('bulkhead()', DEFAULTS, typeof options === 'number' ? { capacity: options } : options);
  assertKnownOptions('bulkhead()', config, KNOWN);
  const { capacity, adaptive } = config as { capacity?: unknown; adaptive?: AdaptiveOptions };
  if (adaptive === undefined && capacity === undefined) {
    throw invalidOption('Expected `capacity` to be an integer from 1 and up, got `undefined` (undefined); it is required unless `adaptive` is set');
  }
  if (capacity !== undefined) assertInteger('capacity', capacity, { min: 1 });
  assertInteger('queue', config.queue, { min: 0 });
  assertString('name', config.name, { min: 1 });
  assertMethods('clock', config.clock, ['now']);
  const resolved = adaptive === undefined ? undefined : resolveAdaptive(adaptive, capacity);
  return {
    capacity: resolved?.limit.limit ?? (capacity as number),
    queue: config.queue,
    name: config.name,
    clock: config.clock,
    adaptive: resolved,
  };
}
