/**
 * The contract between @breakwater/rate-limit and its HTTP adapters (@breakwater/express,
 * @breakwater/fastify) and @breakwater/metrics. Adapters depend on these shapes only, never on a
 * store or an algorithm.
 */

/** One configured limit as it is advertised (`RateLimit-Policy`): `quota` units per `windowMs`. */
export interface LimitDescription {
  /** The limit's name, unique within a limiter, e.g. `'per-second'`; a token in headers. */
  readonly name: string;
  /** Units admitted per window (for GCRA and token bucket: the burst capacity). */
  readonly quota: number;
  /** The window (for GCRA and token bucket: the time to refill `quota` from empty), in ms. */
  readonly windowMs: number;
}

/** The state of one limit after a decision. */
export interface LimitState extends LimitDescription {
  /** Units still available now (0 when denied). */
  readonly remaining: number;
  /**
   * Ms until the limit is fully restored (GCRA, bucket, sliding window: once everything counted
   * has slid out) or its window ends (fixed window); never shorter than the limit's retry wait.
   */
  readonly resetMs: number;
}

/** The answer of `check(key, cost)`. */
export interface RateLimitDecision {
  readonly allowed: boolean;
  /** The binding limit: the one denying, or the one with the least remaining when allowed. */
  readonly limit: number;
  readonly remaining: number;
  readonly resetMs: number;
  /**
   * Ms after which a retry of the same cost can be admitted (with `consumeWhenDenied`, counting
   * this denied request); 0 when allowed.
   */
  readonly retryAfterMs: number;
  /** Name of the binding limit. */
  readonly policy: string;
  /** Every limit of the limiter, in configuration order. */
  readonly limits: readonly LimitState[];
  /**
   * How the decision was made: `'store'` normally; during a store outage `'fail-open'` (admitted
   * without checking) or `'memory-fallback'` (decided by the per-process fallback limiter).
   */
  readonly source: 'store' | 'fail-open' | 'memory-fallback';
}

/** What adapters and the metrics binding need from a limiter. */
export interface RateLimiterLike {
  readonly name: string;
  readonly limits: readonly LimitDescription[];
  /**
   * Decides for `key` and `cost` (default 1). A denied request consumes nothing. Rejects with
   * `RateLimitUnavailableError` (code `ERR_BREAKWATER_RATE_LIMIT_UNAVAILABLE`, HTTP 503) only
   * when the store is down and the limiter fails closed; with the caller's abort reason when
   * `signal` aborts.
   */
  check(key: string, cost?: number, signal?: AbortSignal): Promise<RateLimitDecision>;
}
