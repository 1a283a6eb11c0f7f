/** What failed: a thrown `error`, or a returned `value` that `handleResult` rejected. */
export type Outcome = { readonly error: unknown } | { readonly value: unknown };

/** Where a retry's delay came from: the backoff, or the server's `Retry-After` / `RateLimit` hint. */
export type DelaySource = 'backoff' | 'retry-after';

/**
 * Why a call ended in failure: `exhausted` (maxRetries reached), `delay-budget` (the next delay
 * would pass maxTotalDelay), `budget` (the retry budget refused), `not-handled` (the filter said
 * not to retry), `aborted` (the caller's signal aborted).
 */
export type GiveUpReason = 'exhausted' | 'delay-budget' | 'budget' | 'not-handled' | 'aborted';

/**
 * Emitted by `onRetry`, before the delay starts (cockatiel's order, so a fake-time test can
 * advance by `delayMs` from the listener). Carries `error` or `value`, like cockatiel's payload.
 */
export type RetryEvent = {
  readonly policy: string;
  /** The retry about to be made: 1 for the first retry (the second call). */
  readonly attempt: number;
  /** How long the policy waits before it, in ms (after jitter and the `maxDelay` cap). */
  readonly delayMs: number;
  readonly source: DelaySource;
} & Outcome;

/** Emitted by `onGiveUp` once per call that ends in failure, just before it throws (or returns the value). */
export type GiveUpEvent = {
  readonly policy: string;
  /** Calls made, the first one included. */
  readonly attempts: number;
  readonly reason: GiveUpReason;
} & Outcome;
