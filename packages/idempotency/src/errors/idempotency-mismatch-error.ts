import { BreakwaterError, errorBrand, hasBrand } from '@breakwater/core';

const brand = errorBrand('ERR_BREAKWATER_IDEMPOTENCY_MISMATCH');

/**
 * The key was first used with a different fingerprint (another payload): the stored outcome
 * belongs to another request and is neither replayed nor overwritten. Adapters answer 422.
 */
export class IdempotencyMismatchError extends BreakwaterError {
  override name = 'IdempotencyMismatchError';
  declare readonly code: 'ERR_BREAKWATER_IDEMPOTENCY_MISMATCH';
  readonly [brand] = true;

  constructor() {
    super('This idempotency key was already used with a different request payload', 'ERR_BREAKWATER_IDEMPOTENCY_MISMATCH');
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, brand);
  }
}

/** True for an {@link IdempotencyMismatchError} from either the ESM or the CJS build. */
export const isIdempotencyMismatchError = (error: unknown): error is IdempotencyMismatchError => hasBrand(error, brand);
