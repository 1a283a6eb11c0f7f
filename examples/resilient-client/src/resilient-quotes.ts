import { createFetch, type ResilientFetch } from '@breakwater/fetch';
import { QuotesClient } from './quotes-sdk.ts';

export interface ResilientQuotesOptions {
  /** The API's primary origin. */
  readonly baseUrl: string;
  /** A replica to hedge to (same API, another region); without it, hedges go to the primary. */
  readonly replicaUrl?: string;
  /** Hand-picked pieces for tests (a clock); the defaults are what production wants. */
  readonly overrides?: Partial<Parameters<typeof createFetch>[0]>;
}

/**
 * The SDK, unchanged, given a resilient fetch:
 * - a 5 s deadline per call and 1.5 s per attempt;
 * - up to 3 retries of GETs on 408/429/5xx and network errors, with jittered backoff, waiting
 *   what the server asks (`Retry-After`, or the IETF `RateLimit` header's reset) up to 10 s;
 * - a breaker on each origin, so a dead origin fails fast instead of eating the deadline;
 * - hedging: when the primary has not answered within its p90 latency (seen so far), the same
 *   GET goes to the replica, the first good answer wins and the other request is aborted.
 */
export function resilientQuotes(options: ResilientQuotesOptions): { client: QuotesClient; fetch: ResilientFetch } {
  const fetch = createFetch({
    name: 'quotes-api',
    timeout: 5_000,
    attemptTimeout: 1_500,
    retry: { maxRetries: 3, baseDelay: 100, maxDelay: 10_000 },
    breaker: {},
    hedging: {
      delay: { percentile: 90, fallback: 200, min: 20 },
      ...(options.replicaUrl === undefined ? {} : { origins: [options.replicaUrl] }),
    },
    ...options.overrides,
  });
  return { client: new QuotesClient({ baseUrl: options.baseUrl, fetch }), fetch };
}
