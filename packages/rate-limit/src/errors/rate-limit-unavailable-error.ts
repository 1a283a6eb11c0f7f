import { BreakwaterError, errorBrand, hasBrand } from '@breakwater/core';

const rateLimitUnavailableErrorBrand = errorBrand('ERR_BREAKWATER_RATE_LIMIT_UNAVAILABLE');

/**
 * Thrown by `check()` and `execute()` when the store cannot decide (Redis down, paused or too
 * slow) and the limiter was built with `outage: 'fail-closed'`. Adapters answer it with 503.
 * `cause` holds the store's error; `retryAfterMs` is when the limiter will try the store again.
 */
export class RateLimitUnavailableError extends BreakwaterError {
  override name = 'RateLimitUnavailableError';
  declare readonly code: 'ERR_BREAKWATER_RATE_LIMIT_UNAVAILABLE';
  readonly [rateLimitUnavailableErrorBrand] = true;
  /** The limiter's `name`. */
  readonly limiter: string;
  /** Ms until the limiter probes the store again (a hint for `Retry-After`). */
  readonly retryAfterMs: number;

  constructor(limiter: string, retryAfterMs: number, cause: unknown) {
    super(`Rate limiter "${limiter}" cannot reach its store and fails closed`, 'ERR_BREAKWATER_RATE_LIMIT_UNAVAILABLE', { cause });
    this.limiter = limiter;
    this.retryAfterMs = retryAfterMs;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, rateLimitUnavailableErrorBrand);
  }
}

/** True for a {@link RateLimitUnavailableError} from either the ESM or the CJS build. */
export const isRateLimitUnavailableError = (error: unknown): error is RateLimitUnavailableError =>
  hasBrand(error, rateLimitUnavailableErrorBrand);
