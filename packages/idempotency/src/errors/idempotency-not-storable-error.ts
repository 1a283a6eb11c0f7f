import { BreakwaterError, errorBrand, hasBrand } from '@breakwater/core';

const brand = errorBrand('ERR_BREAKWATER_IDEMPOTENCY_NOT_STORABLE');

/**
 * What a handler (`fn`) throws when its work is done but the outcome cannot be stored: a
 * streamed, oversized or hijacked HTTP response. `run()` releases the claim (a retry runs
 * again), reports the outcome `released` with reason `not-storable`, and rethrows it.
 */
export class IdempotencyNotStorableError extends BreakwaterError {
  override name = 'IdempotencyNotStorableError';
  declare readonly code: 'ERR_BREAKWATER_IDEMPOTENCY_NOT_STORABLE';
  readonly [brand] = true;

  constructor(message = 'The outcome cannot be stored', options?: { readonly cause?: unknown }) {
    super(message, 'ERR_BREAKWATER_IDEMPOTENCY_NOT_STORABLE', options?.cause === undefined ? undefined : { cause: options.cause });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, brand);
  }
}

/** True for an {@link IdempotencyNotStorableError} from either the ESM or the CJS build. */
export const isIdempotencyNotStorableError = (error: unknown): error is IdempotencyNotStorableError => hasBrand(error, brand);
