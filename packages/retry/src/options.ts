import {
  assertBoolean,
  assertDuration,
  assertFunction,
  assertInteger,
  assertKnownOptions,
  assertMethods,
  assertNumber,
  assertOneOf,
  assertString,
  systemClock,
  withDefaults,
  type Clock,
  type ErrorFilter,
  type ResultFilter,
} from '@breakwater/core';
import { BACKOFF_STRATEGIES, type Backoff } from './backoff.ts';
import type { RetryBudgetLike } from './budget.ts';
import { isRetryableError } from './classify.ts';
import { JITTERS, type Jitter } from './jitter.ts';

export interface RetryOptions {
  /** Retries after the first call, so `3` makes at most 4 calls (Polly, got, ky). Integer 0–100. @default 3 */
  readonly maxRetries?: number;
  /**
   * How delays grow: `'exponential'` (baseDelay·factor^(n−1)), `'linear'` (baseDelay·n),
   * `'constant'` (baseDelay), a function `(attempt, previousDelay, reason) => ms`, or a cockatiel
   * backoff such as `new ExponentialBackoff()`. `jitter` applies to the named strategies only.
   * @default 'exponential'
   */
  readonly backoff?: Backoff;
  /** The first retry's delay before jitter, in ms. Range 0–2147483647. @default 100 */
  readonly baseDelay?: number;
  /** Growth per retry of the `'exponential'` strategy. Range 1–100. @default 2 */
  readonly factor?: number;
  /**
   * The longest single delay, in ms, applied before jitter and to server hints alike.
   * Range `baseDelay`–2147483647.
   * @default 30000 (or `baseDelay`, when that is longer)
   */
  readonly maxDelay?: number;
  /**
   * `'full'` waits a random time in [0, d), `'equal'` in [d/2, d), `'decorrelated'` in
   * [baseDelay, 3 × the previous delay) whatever the strategy, `'none'` exactly d.
   * @default 'full'
   */
  readonly jitter?: Jitter;
  /** The source of jitter, returning numbers in [0, 1); use `seededRandom(seed)` in tests. @default Math.random */
  readonly random?: () => number;
  /**
   * The most one call may spend waiting between attempts, in ms: a retry whose delay would take
   * the total past it is not made. Range 0 and up.
   * @default Infinity
   */
  readonly maxTotalDelay?: number;
  /**
   * Which errors to retry. The caller's own abort is never retried, whatever this returns.
   * @default isRetryableError (everything except `retryable: false`, aborts, open breakers,
   * bulkhead rejections and non-retryable HTTP statuses)
   */
  readonly handle?: ErrorFilter;
  /**
   * Which returned values count as failures to retry, e.g. `isRetryableResponse` for `fetch`.
   * When retries run out, the last value is returned, not thrown.
   * @default no value is retried
   */
  readonly handleResult?: ResultFilter;
  /**
   * Wait what the server asked for (`retryAfterMs` on the error, `Retry-After` or `RateLimit`
   * headers) instead of the backoff delay, capped by `maxDelay`.
   * @default true
   */
  readonly respectRetryAfter?: boolean;
  /** A retry budget to spend from, usually shared by the policies calling one dependency. @default none */
  readonly budget?: RetryBudgetLike;
  /** A name for events and metrics labels. @default 'retry' */
  readonly name?: string;
  /** Time source for delays, durations and HTTP dates. @default systemClock */
  readonly clock?: Clock;
}

/** Options after defaults and validation. */
export interface ResolvedRetryOptions {
  readonly maxRetries: number;
  readonly backoff: Backoff;
  readonly baseDelay: number;
  readonly factor: number;
  readonly maxDelay: number;
  readonly jitter: Jitter;
  readonly random: () => number;
  readonly maxTotalDelay: number;
  readonly handle: ErrorFilter;
  readonly handleResult: ResultFilter | undefined;
  readonly respectRetryAfter: boolean;
  readonly budget: RetryBudgetLike | undefined;
  readonly name: string;
  readonly clock: Clock;
}

/** The default `handleResult`; recognised by identity so the success path skips the call. */
const noResultRetried: ResultFilter = () => false;

const DEFAULTS = {
  maxRetries: 3,
  backoff: 'exponential',
  baseDelay: 100,
  factor: 2,
  maxDelay: 30_000,
  jitter: 'full',
  random: Math.random,
  maxTotalDelay: Infinity,
  handle: isRetryableError,
  handleResult: noResultRetried,
  respectRetryAfter: true,
  budget: undefined,
  name: 'retry',
  clock: systemClock,
} as const;

const KNOWN = Object.keys(DEFAULTS);

/** Merges defaults and checks every option once, at construction. */
export function resolveRetryOptions(options: RetryOptions | undefined): ResolvedRetryOptions {
  const config: Omit<Required<RetryOptions>, 'budget'> & { budget: RetryBudgetLike | undefined } = withDefaults('retry()', DEFAULTS, options);
  assertKnownOptions('retry()', config, KNOWN);
  assertInteger('maxRetries', config.maxRetries, { min: 0, max: 100 });
  const { backoff } = config;
  if (typeof backoff === 'string' || backoff === null || (typeof backoff !== 'function' && typeof backoff !== 'object')) {
    assertOneOf('backoff', backoff, BACKOFF_STRATEGIES);
  } else if (typeof backoff !== 'function') {
    assertMethods('backoff', backoff, ['next']);
  }
  assertDuration('baseDelay', config.baseDelay);
  assertNumber('factor', config.factor, { min: 1, max: 100 });
  // The default cap must not turn a long baseDelay into an error about a value nobody wrote.
  const maxDelay = options?.maxDelay === undefined ? Math.max(DEFAULTS.maxDelay, config.baseDelay) : config.maxDelay;
  assertDuration('maxDelay', maxDelay, { min: config.baseDelay });
  assertOneOf('jitter', config.jitter, JITTERS);
  assertFunction('random', config.random);
  assertNumber('maxTotalDelay', config.maxTotalDelay, { min: 0, max: Infinity });
  assertFunction('handle', config.handle);
  assertFunction('handleResult', config.handleResult);
  assertBoolean('respectRetryAfter', config.respectRetryAfter);
  if (config.budget !== undefined) assertMethods('budget', config.budget, ['recordCall', 'tryAcquireRetry']);
  assertString('name', config.name, { min: 1 });
  assertMethods('clock', config.clock, ['now', 'epochNow', 'setTimeout', 'clearTimeout']);
  return {
    maxRetries: config.maxRetries,
    backoff,
    baseDelay: config.baseDelay,
    factor: config.factor,
    maxDelay,
    jitter: config.jitter,
    random: config.random,
    maxTotalDelay: config.maxTotalDelay,
    handle: config.handle,
    handleResult: config.handleResult === noResultRetried ? undefined : config.handleResult,
    respectRetryAfter: config.respectRetryAfter,
    budget: config.budget,
    name: config.name,
    clock: config.clock,
  };
}
