import { BreakwaterError, errorBrand, hasBrand } from '@breakwater/core';

const rateLimitedErrorBrand = errorBrand('ERR_BREAKWATER_RATE_LIMITED');

/** What a limiter knew when it turned a call away. */
export interface RateLimitedDetails {
  /** The limiter's `name`. */
  readonly limiter: string;
  /** Name of the limit that denied (the one to wait longest for). */
  readonly policy: string;
  /** Quota of that limit. */
  readonly limit: number;
  /** Units of that limit still available (0 when denied by the contract). */
  readonly remaining: number;
  /** Ms until that limit is fully restored or its window ends. */
  readonly resetMs: number;
  /** Ms after which the same call can be admitted. */
  readonly retryAfterMs: number;
}

/**
 * Thrown by a limiter's `execute()` when the call is over a limit. Adapters answer it with 429
 * and `Retry-After`; `check()` never throws it (it returns `allowed: false`).
 */
export class RateLimitedError extends BreakwaterError implements RateLimitedDetails {
  override name = 'RateLimitedError';
  declare readonly code: 'ERR_BREAKWATER_RATE_LIMITED';
  readonly [rateLimitedErrorBrand] = true;
  readonly limiter: string;
  readonly policy: string;
  readonly limit: number;
  readonly remaining: number;
  readonly resetMs: number;
  readonly retryAfterMs: number;

  constructor(details: RateLimitedDetails) {
    super(
      `Rate limit exceeded: limit "${details.policy}" of ${details.limit} (${details.limiter}); retry after ${details.retryAfterMs} ms`,
      'ERR_BREAKWATER_RATE_LIMITED',
    );
    this.limiter = details.limiter;
    this.policy = details.policy;
    this.limit = details.limit;
    this.remaining = details.remaining;
    this.resetMs = details.resetMs;
    this.retryAfterMs = details.retryAfterMs;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, rateLimitedErrorBrand);
  }
}

/** True for a {@link RateLimitedError} from either the ESM or the CJS build. */
export const isRateLimitedError = (error: unknown): error is RateLimitedError => hasBrand(error, rateLimitedErrorBrand);
