import { BreakwaterError, errorBrand, hasBrand } from '@breakwater/core';

const brand = errorBrand('ERR_BREAKWATER_IDEMPOTENCY_KEY_INVALID');

/** Why a key was refused. */
export type InvalidKeyReason = 'not-a-string' | 'empty' | 'too-long' | 'invalid-character';

/**
 * The idempotency key is missing, empty, longer than 255 characters, or holds a character
 * outside printable ASCII (the IETF draft's key is a Structured Field string, which allows
 * only %x20-7E; Stripe caps keys at 255). Adapters answer 400.
 */
export class InvalidIdempotencyKeyError extends BreakwaterError {
  override name = 'InvalidIdempotencyKeyError';
  declare readonly code: 'ERR_BREAKWATER_IDEMPOTENCY_KEY_INVALID';
  readonly [brand] = true;
  readonly reason: InvalidKeyReason;

  constructor(reason: InvalidKeyReason, message: string) {
    super(message, 'ERR_BREAKWATER_IDEMPOTENCY_KEY_INVALID');
    this.reason = reason;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, brand);
  }
}

/** True for an {@link InvalidIdempotencyKeyError} from either the ESM or the CJS build. */
export const isInvalidIdempotencyKeyError = (error: unknown): error is InvalidIdempotencyKeyError => hasBrand(error, brand);
