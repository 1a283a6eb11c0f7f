import { assertKnownOptions, withDefaults, assertInteger, invalidOption } from '@breakwater/core';

/**
 * A concurrency-limit algorithm: turns samples of completed calls into a limit. Implementations
 * are pure: no clock and no timers. The bulkhead measures each call with its injected clock and
 * hands the latency over, so a unit test drives an algorithm with synthetic samples alone.
 */
export interface LimitAlgorithm {
  /** The current limit: an integer from `min` to `max`. */
  readonly limit: number;
  readonly min: number;
  readonly max: number;
  /**
   * Records one completed call and returns the limit that follows from it (Netflix's
   * `Limit.onSample`). Positional arguments: this runs once per call, so it allocates nothing.
   * @param rtt how long the call ran, in ms
   * @param inflight calls running when it started, itself included
   * @param dropped the call failed in a way that signals overload (a timeout, a rejection downstream)
   */
  onSample(rtt: number, inflight: number, dropped: boolean): number;
}

/** The bounds every algorithm shares (Netflix concurrency-limits defaults). */
export interface LimitBoundsOptions {
  /** The lowest the limit can go. Integer ≥ 1. @default 20 */
  readonly min?: number;
  /** The highest the limit can go. Integer ≥ `min`. @default 200 */
  readonly max?: number;
  /** The limit to start from, from `min` to `max`. @default 20, moved into [min, max] */
  readonly initial?: number;
}

export interface LimitBounds {
  readonly min: number;
  readonly max: number;
  readonly initial: number;
}

export const BOUNDS_DEFAULTS = { min: 20, max: 200 } as const;
const DEFAULT_INITIAL = 20;

/** Where options come from, so messages name them as the caller wrote them (`adaptive.min`). */
export interface OptionScope {
  readonly factory: string;
  readonly prefix: string;
  /** Keys the caller's object may also hold, read by someone else (`algorithm`, `isDrop`). */
  readonly alsoKnown: readonly string[];
}

/**
 * Merges an algorithm's defaults with its options and checks the shared bounds. The default
 * `initial` is moved into [min, max], so `{ min: 1, max: 10 }` alone is a valid configuration.
 */
export function resolveLimitOptions<D extends object, O extends LimitBoundsOptions>(
  scope: OptionScope,
  defaults: D,
  known: readonly string[],
  options: O | undefined,
): D & O & LimitBounds {
  const config = withDefaults(scope.factory, { ...BOUNDS_DEFAULTS, ...defaults }, options);
  assertKnownOptions(scope.factory, config, [...known, 'min', 'max', 'initial', ...scope.alsoKnown]);
  const p = scope.prefix;
  assertInteger(`${p}min`, config.min, { min: 1 });
  assertInteger(`${p}max`, config.max, { min: 1 });
  if (config.min > config.max) {
    throw invalidOption(`Expected \`${p}min\` (${config.min}) to be at most \`${p}max\` (${config.max})`, 'range');
  }
  const initial = config.initial ?? Math.min(config.max, Math.max(config.min, DEFAULT_INITIAL));
  assertInteger(`${p}initial`, initial, { min: config.min, max: config.max });
  return { ...config, initial };
}
