import type { BulkheadInput } from '@breakwater/bulkhead';
import type { BreakerStrategy, BreakDurationBackoff, CircuitBreakerPolicy } from '@breakwater/circuit-breaker';
import type { Clock } from '@breakwater/core';
import type { Jitter, RetryBudgetLike } from '@breakwater/retry';

/** Any function with `fetch`'s signature: the global (undici) one, node-fetch, a test double. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface FetchRetryOptions {
  /** Retries after the first attempt, so `3` makes at most 4 rounds. Integer 0–100. @default 3 */
  readonly maxRetries?: number;
  /**
   * Methods retried without an `Idempotency-Key` (upper case). POST and PATCH are retried only
   * when the request carries a key (see `idempotencyKey`).
   * @default ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE', 'QUERY']
   */
  readonly methods?: readonly string[];
  /** Response statuses retried. Integers 100–599. @default [408, 429, 500, 502, 503, 504] */
  readonly statuses?: readonly number[];
  /**
   * Which thrown errors are retried.
   * @default isRetryableFetchError (attempt timeouts and network errors: ECONNRESET, ETIMEDOUT,
   * `TypeError: fetch failed` with such a cause code, …)
   */
  readonly retryOnError?: (error: unknown) => boolean;
  /** The first retry's delay before jitter, in ms. Range 0–2147483647. @default 300 */
  readonly baseDelay?: number;
  /**
   * The longest single delay, in ms, and the cap on what `Retry-After` / `RateLimit` may ask for
   * (a longer hint waits this long). Range `baseDelay`–2147483647.
   * @default 10000
   */
  readonly maxDelay?: number;
  /** @default 'full' */
  readonly jitter?: Jitter;
  /** Jitter source returning [0, 1). @default Math.random */
  readonly random?: () => number;
  /** The most one call may wait between attempts, in ms. @default Infinity */
  readonly maxTotalDelay?: number;
  /** Wait what `Retry-After` (seconds or HTTP date) or the IETF `RateLimit` header ask for. @default true */
  readonly respectRetryAfter?: boolean;
  /**
   * A retry budget shared by every call of this client (or the one given), so a failing upstream
   * gets about 1.2× its calls instead of 4×; `false` for none.
   * @default retryBudget() (20 % of calls plus 10 retries per 10 s)
   */
  readonly budget?: RetryBudgetLike | false;
}

export interface FetchBreakerOptions {
  /**
   * The registry key of a request's breaker. Keep the set of keys bounded.
   * @default (url) => url.origin
   */
  readonly key?: (url: URL) => string;
  /** Keys held at most (least recently used evicted). Range 1–100000. @default 1000 */
  readonly max?: number;
  /**
   * When a closed breaker opens.
   * @default timeWindow({ duration: 30_000, failureRatio: 0.1, minimumCalls: 100 }) (the Microsoft standard handler)
   */
  readonly strategy?: BreakerStrategy;
  /** How long a breaker stays open, in ms. @default 5000 */
  readonly breakDuration?: number;
  readonly breakDurationBackoff?: BreakDurationBackoff;
  /** @default 1 */
  readonly halfOpenProbes?: number;
  /** Response statuses counted as failures. @default the retry's `statuses` */
  readonly statuses?: readonly number[];
  /** Builds each key's breaker yourself; the options above (but `key`, `max`) are then ignored. */
  readonly create?: (key: string) => CircuitBreakerPolicy;
}

/** `{ percentile }` hedges after that latency percentile of recent successful attempts. */
export interface HedgingPercentileDelay {
  /** Range: above 0, below 100. */
  readonly percentile: number;
  /** Successful attempts remembered. Integer 1–10000. @default 100 */
  readonly samples?: number;
  /** The delay used until `samples / 10` (at least 1) attempts have been seen, in ms. @default 2000 */
  readonly fallback?: number;
  /** Bounds on the computed delay, in ms. @default 0 and 2147483647 */
  readonly min?: number;
  readonly max?: number;
}

export interface HedgingOptions {
  /** When a hedge is sent if no answer arrived: a fixed delay in ms, or a latency percentile. @default 2000 */
  readonly delay?: number | HedgingPercentileDelay;
  /** Extra attempts per round. Integer 1–10. @default 1 */
  readonly maxHedgedAttempts?: number;
  /**
   * Origins for the hedges (`https://replica-1.example.com`): hedge n goes to
   * `origins[(n - 1) % origins.length]`, with the request's path and query. The primary attempt
   * always goes to the request's own URL.
   * @default undefined (hedges go to the same URL)
   */
  readonly origins?: readonly (string | URL)[];
  /** Rewrites the URL of hedge n (from 1); instead of `origins`. */
  readonly rewrite?: (url: URL, hedge: number) => URL | string;
}

export interface IdempotencyKeyOptions {
  /** @default 'Idempotency-Key' */
  readonly header?: string;
  /** Makes a key. @default a crypto.randomUUID() as an sf-string ("…"), as the IETF draft asks */
  readonly generate?: () => string;
}

export interface CreateFetchOptions {
  /**
   * The fetch to wrap. The global one is taken when the client is created, so assigning the
   * client to `globalThis.fetch` afterwards is safe.
   * @default globalThis.fetch
   */
  readonly fetch?: FetchLike;
  /** A name for events, breakers and metrics labels (bounded: never a URL). @default 'fetch' */
  readonly name?: string;
  /** Deadline for the whole call (every attempt and delay) up to response headers, in ms; `false` for none. @default 30000 */
  readonly timeout?: number | false;
  /** Deadline for each attempt up to response headers, in ms; at most `timeout`. `false` for none. @default 10000 */
  readonly attemptTimeout?: number | false;
  /** Retry rules; a number is `{ maxRetries }`; `false` never retries. @default {} (see FetchRetryOptions) */
  readonly retry?: FetchRetryOptions | number | false;
  /** Per-origin circuit breakers; pass a `breakerRegistry()` to share one; `false` for none. @default {} */
  readonly breaker?: FetchBreakerOptions | false;
  /**
   * Limits attempts in flight: a capacity, `bulkhead()` options, or any policy with `execute`
   * (a client-side rate limiter fits). Innermost: its wait counts against `attemptTimeout`.
   * @default false
   */
  readonly bulkhead?: BulkheadInput | false;
  /** Hedged attempts for idempotent requests; `true` takes the defaults. @default false */
  readonly hedging?: HedgingOptions | boolean;
  /**
   * Attaches an `Idempotency-Key` to POST and PATCH requests without one, which makes them
   * retryable (the server deduplicates, e.g. with @breakwater/idempotency). A key the caller
   * sets is always kept, and makes the request retryable even when this is off.
   * @default false
   */
  readonly idempotencyKey?: IdempotencyKeyOptions | boolean;
  /**
   * When retries run out on a retryable status, throw a `FetchAttemptsError` (the response's body
   * cancelled) instead of returning the last response.
   * @default false
   */
  readonly throwOnRetryableStatus?: boolean;
  /** Time source for deadlines, delays and HTTP dates. @default systemClock */
  readonly clock?: Clock;
}

/** Per-request overrides, given as `init.breakwater`. `false` removes a part for this request. */
export interface FetchOverrides {
  readonly timeout?: number | false;
  readonly attemptTimeout?: number | false;
  /** Replaces fields of the client's retry options (the budget stays shared), or `false`. */
  readonly retry?: FetchRetryOptions | number | false;
  /** `false` skips the breaker for this request. */
  readonly breaker?: false;
  /** `false` skips the bulkhead for this request. */
  readonly bulkhead?: false;
  /** `false` turns hedging off; options turn it on or replace fields of the client's. */
  readonly hedging?: HedgingOptions | boolean;
  /** `true` generates a key for this POST/PATCH, a string sets it, `false` generates none. */
  readonly idempotencyKey?: boolean | string;
  readonly throwOnRetryableStatus?: boolean;
}

/**
 * `RequestInit` plus the `breakwater` overrides. A separate type rather than a global
 * declaration merge: the global `RequestInit` stays untouched for every other fetch user, and an
 * SDK passing a plain `RequestInit` type-checks as before.
 */
export interface BreakwaterRequestInit extends RequestInit {
  readonly breakwater?: FetchOverrides;
}
