import { describe, expect, it } from 'vitest';
import {
  BreakwaterError,
  BrokenCircuitError,
  IsolatedCircuitError,
  breakwaterErrorBrand,
  errorBrand,
  isBreakwaterError,
  isBrokenCircuitError,
  isIsolatedCircuitError,
} from '@breakwater/core';
import { CircuitIsolatedError, CircuitOpenError, isCircuitIsolatedError, isCircuitOpenError } from '@breakwater/circuit-breaker';

describe('errors', () => {
  it('CircuitOpenError is a cockatiel BrokenCircuitError and a BreakwaterError, carrying what a caller needs', () => {
    const error = new CircuitOpenError('payments', 'open', 1_500);
    expect(error).toBeInstanceOf(BrokenCircuitError);
    expect(isBrokenCircuitError(error)).toBe(true);
    expect(error).toBeInstanceOf(BreakwaterError);
    expect(isBreakwaterError(error)).toBe(true);
    expect(isCircuitOpenError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'CircuitOpenError',
      code: 'ERR_BREAKWATER_CIRCUIT_OPEN',
      policy: 'payments',
      state: 'open',
      retryAfterMs: 1_500,
      message: 'Circuit breaker "payments" is open; it admits a probe call in 1500ms',
    });
    expect(new CircuitOpenError('payments', 'half-open', undefined).message).toBe('Circuit breaker "payments" is half-open and its probe calls are all running');
  });

  it('CircuitIsolatedError is a cockatiel IsolatedCircuitError and a BreakwaterError, but not a CircuitOpenError', () => {
    const error = new CircuitIsolatedError('payments');
    expect(error).toBeInstanceOf(IsolatedCircuitError);
    expect(isIsolatedCircuitError(error)).toBe(true);
    expect(isBrokenCircuitError(error)).toBe(true);
    expect(isBreakwaterError(error)).toBe(true);
    expect(isCircuitIsolatedError(error)).toBe(true);
    expect(error).not.toBeInstanceOf(CircuitOpenError);
    expect(isCircuitOpenError(error)).toBe(false);
    expect(error).toMatchObject({ name: 'CircuitIsolatedError', code: 'ERR_BREAKWATER_CIRCUIT_ISOLATED', policy: 'payments', state: 'isolated' });
    expect(error.message).toContain('"payments" is isolated');
  });

  it('answers instanceof by brand, so an error from the other build still matches', () => {
    const fromOtherCopy = Object.assign(new Error('x'), {
      [breakwaterErrorBrand]: true,
      [errorBrand('ERR_BREAKWATER_CIRCUIT_OPEN')]: true,
    });
    expect(fromOtherCopy).toBeInstanceOf(CircuitOpenError);
    expect(isCircuitOpenError(fromOtherCopy)).toBe(true);
    expect(fromOtherCopy).not.toBeInstanceOf(CircuitIsolatedError);
    expect(new BreakwaterError('base')).not.toBeInstanceOf(CircuitOpenError);
    expect(isCircuitOpenError(new BrokenCircuitError())).toBe(false);
  });
});
