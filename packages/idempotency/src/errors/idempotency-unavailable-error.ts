import { BreakwaterError, errorBrand, hasBrand } from '@breakwater/core';

const brand = errorBrand('ERR_BREAKWATER_IDEMPOTENCY_UNAVAILABLE');

/**
 * The store could not be asked (down, timed out) or the idempotency object is closed, so the
 * key could not be claimed and `fn` did not run: idempotency fails closed, never running a
 * handler unclaimed. `cause` holds the store's error. Adapters answer 503 with `Retry-After`.
 */
export class IdempotencyUnavailableError extends BreakwaterError {
  override name = 'IdempotencyUnavailableError';
  declare readonly code: 'ERR_BREAKWATER_IDEMPOTENCY_UNAVAILABLE';
  readonly [brand] = true;
  /** A hint for the client's retry (the `retryAfterMs` option). */
  readonly retryAfterMs: number;

  constructor(retryAfterMs: number, options?: { readonly cause?: unknown; readonly reason?: string }) {
    super(
      `The idempotency store is unavailable${options?.reason ? ` (${options.reason})` : ''}; the request was not executed`,
      'ERR_BREAKWATER_IDEMPOTENCY_UNAVAILABLE',
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.retryAfterMs = retryAfterMs;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, brand);
  }
}

/** True for an {@link IdempotencyUnavailableError} from either the ESM or the CJS build. */
export const isIdempotencyUnavailableError = (error: unknown): error is IdempotencyUnavailableError => hasBrand(error, brand);
