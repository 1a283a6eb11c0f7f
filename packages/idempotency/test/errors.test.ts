import { describe, expect, it } from 'vitest';
import { BreakwaterError, isBreakwaterError } from '@breakwater/core';
import {
  IdempotencyConflictError,
  IdempotencyLeaseLostError,
  IdempotencyMismatchError,
  IdempotencyNotStorableError,
  IdempotencyUnavailableError,
  InvalidIdempotencyKeyError,
  isIdempotencyConflictError,
  isIdempotencyLeaseLostError,
  isIdempotencyMismatchError,
  isIdempotencyNotStorableError,
  isIdempotencyUnavailableError,
  isInvalidIdempotencyKeyError,
} from '@breakwater/idempotency';

const cases = [
  { make: () => new InvalidIdempotencyKeyError('empty', 'empty'), guard: isInvalidIdempotencyKeyError, Class: InvalidIdempotencyKeyError, code: 'ERR_BREAKWATER_IDEMPOTENCY_KEY_INVALID', name: 'InvalidIdempotencyKeyError' },
  { make: () => new IdempotencyConflictError(1_000), guard: isIdempotencyConflictError, Class: IdempotencyConflictError, code: 'ERR_BREAKWATER_IDEMPOTENCY_CONFLICT', name: 'IdempotencyConflictError' },
  { make: () => new IdempotencyMismatchError(), guard: isIdempotencyMismatchError, Class: IdempotencyMismatchError, code: 'ERR_BREAKWATER_IDEMPOTENCY_MISMATCH', name: 'IdempotencyMismatchError' },
  { make: () => new IdempotencyUnavailableError(1_000), guard: isIdempotencyUnavailableError, Class: IdempotencyUnavailableError, code: 'ERR_BREAKWATER_IDEMPOTENCY_UNAVAILABLE', name: 'IdempotencyUnavailableError' },
  { make: () => new IdempotencyLeaseLostError(), guard: isIdempotencyLeaseLostError, Class: IdempotencyLeaseLostError, code: 'ERR_BREAKWATER_IDEMPOTENCY_LEASE_LOST', name: 'IdempotencyLeaseLostError' },
  { make: () => new IdempotencyNotStorableError(), guard: isIdempotencyNotStorableError, Class: IdempotencyNotStorableError, code: 'ERR_BREAKWATER_IDEMPOTENCY_NOT_STORABLE', name: 'IdempotencyNotStorableError' },
] as const;

describe('errors', () => {
  it.each(cases)('$name: stable code, a BreakwaterError, recognised by its own guard only', ({ make, guard, Class, code, name }) => {
    const error = make();
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(BreakwaterError);
    expect(error).toBeInstanceOf(Class);
    expect(isBreakwaterError(error)).toBe(true);
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(guard(error)).toBe(true);
    for (const other of cases) if (other.Class !== Class) expect(other.guard(error)).toBe(false);
    expect(guard(new Error(name))).toBe(false);
    expect(guard(null)).toBe(false);
  });

  it.each(cases)('$name: recognised across copies of the package, by its Symbol.for brand', ({ guard, Class, code }) => {
    // What an error from the other build (ESM vs CJS) looks like: a different class, the same brand.
    const foreign = Object.assign(new Error('from the other build'), { [Symbol.for(`breakwater.error.${code}`)]: true });
    expect(guard(foreign)).toBe(true);
    expect(foreign).toBeInstanceOf(Class);
  });

  it('carries what a caller needs', () => {
    expect(new IdempotencyConflictError(750)).toMatchObject({ retryAfterMs: 750, message: expect.stringContaining('750ms') });
    const cause = new Error('ECONNREFUSED');
    expect(new IdempotencyUnavailableError(2_000, { cause })).toMatchObject({ retryAfterMs: 2_000, cause });
    expect(new InvalidIdempotencyKeyError('too-long', 'x').reason).toBe('too-long');
  });
});
