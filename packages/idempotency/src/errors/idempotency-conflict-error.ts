import { BreakwaterError, errorBrand, hasBrand } from '@breakwater/core';

const brand = errorBrand('ERR_BREAKWATER_IDEMPOTENCY_CONFLICT');

/**
 * Another caller holds the claim on this key (its request is still running), and the caller
 * did not wait or its bounded wait ran out. Nothing is stored for this attempt: retrying after
 * `retryAfterMs` gets the stored outcome or, if the holder failed, runs. Adapters answer 409.
 */
export class IdempotencyConflictError extends BreakwaterError {
  override name = 'IdempotencyConflictError';
  declare readonly code: 'ERR_BREAKWATER_IDEMPOTENCY_CONFLICT';
  readonly [brand] = true;
  /** When a retry may find the outcome: the lease left, capped by the `retryAfterMs` option. */
  readonly retryAfterMs: number;

  constructor(retryAfterMs: number) {
    super(`A request with this idempotency key is still in progress; retry after ${retryAfterMs}ms`, 'ERR_BREAKWATER_IDEMPOTENCY_CONFLICT');
    this.retryAfterMs = retryAfterMs;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, brand);
  }
}

/** True for an {@link IdempotencyConflictError} from either the ESM or the CJS build. */
export const isIdempotencyConflictError = (error: unknown): error is IdempotencyConflictError => hasBrand(error, brand);
