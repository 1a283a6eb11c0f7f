import {
  assertDuration,
  assertFunction,
  assertInteger,
  assertKnownOptions,
  assertMethods,
  assertString,
  describeValue,
  INVALID_OPTION,
  systemClock,
  withDefaults,
  type Clock,
  type ErrorFilter,
  type ResultFilter,
} from '@breakwater/core';
import { BreakDurations, type BreakDurationBackoff } from './break-duration.ts';
import { assertSnapshot, type CircuitSnapshot } from './state.ts';
import type { CircuitStore } from './store.ts';
import { consecutive } from './strategies/consecutive.ts';
import type { BreakerStrategy } from './strategies/strategy.ts';

export interface CircuitBreakerOptions {
  /**
   * When a closed breaker opens: `consecutive({ threshold })`, `countWindow({ size,
   * failureRatio, minimumCalls })` or `timeWindow({ duration, buckets, failureRatio, minimumCalls })`.
   * @default consecutive({ threshold: 5 })
   */
  readonly strategy?: BreakerStrategy;
  /** How long the breaker stays open before it admits probes, in ms. Range 1–2147483647. @default 30_000 */
  readonly breakDuration?: number;
  /**
   * Lengthens each break while probes keep failing: the n-th open in a row lasts
   * `min(breakDuration × factor^(n−1), max)`. Reset when the breaker closes.
   * @default undefined (every break lasts `breakDuration`)
   */
  readonly breakDurationBackoff?: BreakDurationBackoff;
  /**
   * Probe calls a half-open breaker admits. Once this many have succeeded it closes; any probe
   * failure opens it again. Every other caller fails fast meanwhile. Range 1–10000.
   * @default 1
   */
  readonly halfOpenProbes?: number;
  /**
   * A call that takes at least this long, in ms, counts as a failure even when it succeeds (its
   * value is still returned). Range 1–2147483647.
   * @default undefined (off)
   */
  readonly slowCallDuration?: number;
  /**
   * Which errors count as failures. Errors it rejects count as neither success nor failure.
   * The caller's own abort (the error is the caller's `signal.reason`) never counts.
   * @default every error
   */
  readonly handle?: ErrorFilter;
  /**
   * Which returned values count as failures, e.g. `(res) => res.status >= 500`. The value is
   * still returned to the caller.
   * @default undefined (no value is a failure)
   */
  // Method syntax on purpose: it lets `(res: Response) => boolean` through, which the unknown-typed
  // ResultFilter would refuse under strictFunctionTypes.
  handleResult?(value: unknown): boolean;
  /** A name for events, errors and metrics labels; keep it bounded (never a user key or URL). @default 'circuit-breaker' */
  readonly name?: string;
  /** Time source; needs `now()` and `epochNow()` (snapshots carry epoch times). @default systemClock */
  readonly clock?: Clock;
  /**
   * A snapshot from `toJSON()` to start from. Not together with `store` (the store's `load()` is
   * the starting point then).
   * @default undefined (start closed)
   */
  readonly initialState?: CircuitSnapshot;
  /**
   * Where the breaker reads its starting snapshot and writes one after every transition; the
   * seam for shared state (see `CircuitStore`).
   * @default undefined (the state lives in the breaker alone, in memory)
   */
  readonly store?: CircuitStore;
}

/** The options after defaults and checks. */
export interface ResolvedOptions {
  readonly strategy: BreakerStrategy;
  readonly breakDurations: BreakDurations;
  readonly halfOpenProbes: number;
  /** Infinity when off. */
  readonly slowCallDuration: number;
  readonly handle: ErrorFilter;
  readonly handleResult: ResultFilter | undefined;
  readonly name: string;
  readonly clock: Clock;
  readonly initialState: CircuitSnapshot | undefined;
  readonly store: CircuitStore | undefined;
}

const DEFAULTS = {
  strategy: consecutive({ threshold: 5 }),
  breakDuration: 30_000,
  halfOpenProbes: 1,
  handle: () => true,
  name: 'circuit-breaker',
  clock: systemClock,
} as const;

const KNOWN = [
  'strategy',
  'breakDuration',
  'breakDurationBackoff',
  'halfOpenProbes',
  'slowCallDuration',
  'handle',
  'handleResult',
  'name',
  'clock',
  'initialState',
  'store',
] as const;

/** Merges the defaults and checks every option, naming the option, its range and the value. */
export function resolveOptions(options: CircuitBreakerOptions | undefined): ResolvedOptions {
  const config = withDefaults('circuitBreaker()', DEFAULTS, options) as typeof DEFAULTS & CircuitBreakerOptions;
  assertKnownOptions('circuitBreaker()', config, KNOWN);
  assertMethods('strategy', config.strategy, ['create']);
  assertDuration('breakDuration', config.breakDuration, { min: 1 });
  if (config.breakDurationBackoff !== undefined && (config.breakDurationBackoff === null || typeof config.breakDurationBackoff !== 'object')) {
    throw Object.assign(new TypeError(`Expected \`breakDurationBackoff\` to be an object with factor and max, got ${describeValue(config.breakDurationBackoff)}`), {
      code: INVALID_OPTION,
    });
  }
  const breakDurations = new BreakDurations(config.breakDuration, config.breakDurationBackoff);
  assertInteger('halfOpenProbes', config.halfOpenProbes, { min: 1, max: 10_000 });
  if (config.slowCallDuration !== undefined) assertDuration('slowCallDuration', config.slowCallDuration, { min: 1 });
  assertFunction('handle', config.handle);
  if (config.handleResult !== undefined) assertFunction('handleResult', config.handleResult);
  assertString('name', config.name, { min: 1 });
  assertMethods('clock', config.clock, ['now', 'epochNow']);
  if (config.initialState !== undefined) assertSnapshot('initialState', config.initialState);
  if (config.store !== undefined) assertMethods('store', config.store, ['load', 'save']);
  if (config.store !== undefined && config.initialState !== undefined) {
    throw Object.assign(new TypeError('Expected only one of `initialState` and `store`: a store supplies the starting state through load()'), {
      code: INVALID_OPTION,
    });
  }
  return {
    strategy: config.strategy,
    breakDurations,
    halfOpenProbes: config.halfOpenProbes,
    slowCallDuration: config.slowCallDuration ?? Infinity,
    handle: config.handle,
    handleResult: config.handleResult,
    name: config.name,
    clock: config.clock,
    initialState: config.initialState,
    store: config.store,
  };
}
