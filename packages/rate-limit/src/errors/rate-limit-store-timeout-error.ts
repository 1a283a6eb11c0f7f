import { BreakwaterError, errorBrand, hasBrand } from '@breakwater/core';

const storeTimeoutErrorBrand = errorBrand('ERR_BREAKWATER_RATE_LIMIT_STORE_TIMEOUT');

/**
 * A store call that did not settle within the store's `commandTimeoutMs` (Redis paused, a
 * network partition, a reconnect that never ends). Limiters see it as a store failure and apply
 * their outage mode; it reaches callers only as the `cause` of a `RateLimitUnavailableError` or
 * in `onStoreError` events.
 */
export class RateLimitStoreTimeoutError extends BreakwaterError {
  override name = 'RateLimitStoreTimeoutError';
  declare readonly code: 'ERR_BREAKWATER_RATE_LIMIT_STORE_TIMEOUT';
  readonly [storeTimeoutErrorBrand] = true;
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(`The rate-limit store did not answer within ${timeoutMs} ms`, 'ERR_BREAKWATER_RATE_LIMIT_STORE_TIMEOUT');
    this.timeoutMs = timeoutMs;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, storeTimeoutErrorBrand);
  }
}

/** True for a {@link RateLimitStoreTimeoutError} from either the ESM or the CJS build. */
export const isRateLimitStoreTimeoutError = (error: unknown): error is RateLimitStoreTimeoutError =>
  hasBrand(error, storeTimeoutErrorBrand);
