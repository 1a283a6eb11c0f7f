import { isRetryableResponse } from './classify.ts';
import type { RetryOptions } from './options.ts';

/**
 * Starting points with documented numbers; spread one and override what differs:
 * `retry({ ...retryPresets.http, name: 'billing' })`. They hold no budget: a budget is shared
 * state, so create one with `retryBudget()` per dependency and pass it alongside.
 */
export const retryPresets = Object.freeze({
  /**
   * Calls inside one data centre (a cache, a database, a sidecar): 2 retries, 25 ms base, at most
   * 250 ms per delay and 500 ms in all (Envoy's route retry: 25 ms base, 10× cap).
   */
  fast: Object.freeze({ maxRetries: 2, baseDelay: 25, maxDelay: 250, maxTotalDelay: 500, jitter: 'full' }) satisfies RetryOptions,
  /**
   * HTTP APIs over the network: 3 retries, 300 ms base, at most 10 s per delay, full jitter, the
   * server's Retry-After honoured, and `Response`s with 408/425/429/5xx retried like errors
   * (ky's 300 ms base, the Microsoft standard handler's 3 retries).
   */
  http: Object.freeze({
    maxRetries: 3,
    baseDelay: 300,
    maxDelay: 10_000,
    jitter: 'full',
    respectRetryAfter: true,
    handleResult: isRetryableResponse,
  }) satisfies RetryOptions,
  /**
   * Background work that may wait (queues, outboxes, webhooks): 8 retries, 1 s base, at most 60 s
   * per delay and 5 minutes in all, decorrelated jitter.
   */
  background: Object.freeze({ maxRetries: 8, baseDelay: 1_000, maxDelay: 60_000, maxTotalDelay: 300_000, jitter: 'decorrelated' }) satisfies RetryOptions,
});
