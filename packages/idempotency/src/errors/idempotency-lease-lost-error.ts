import { BreakwaterError, errorBrand, hasBrand } from '@breakwater/core';

const brand = errorBrand('ERR_BREAKWATER_IDEMPOTENCY_LEASE_LOST');

/**
 * The running holder lost its claim: the lease could not be renewed in time (store down or
 * too slow) or the idempotency object closed. Used as the abort reason of `context.signal`
 * and thrown by `context.step()`, so a handler stops before doing work another caller may now
 * be doing too. `run()` itself never rejects with it unless `fn` does.
 */
export class IdempotencyLeaseLostError extends BreakwaterError {
  override name = 'IdempotencyLeaseLostError';
  declare readonly code: 'ERR_BREAKWATER_IDEMPOTENCY_LEASE_LOST';
  readonly [brand] = true;

  constructor(message = 'The idempotency claim was lost before the handler finished', options?: { readonly cause?: unknown }) {
    super(message, 'ERR_BREAKWATER_IDEMPOTENCY_LEASE_LOST', options?.cause === undefined ? undefined : { cause: options.cause });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, brand);
  }
}

/** True for an {@link IdempotencyLeaseLostError} from either the ESM or the CJS build. */
export const isIdempotencyLeaseLostError = (error: unknown): error is IdempotencyLeaseLostError => hasBrand(error, brand);
