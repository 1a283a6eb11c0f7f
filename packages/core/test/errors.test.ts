import { describe, expect, it } from 'vitest';
import {
  BreakwaterError,
  TaskCancelledError,
  TimeoutError,
  breakwaterErrorBrand,
  errorBrand,
  isBreakwaterError,
  isTaskCancelledError,
  isTimeoutError,
} from '@breakwater/core';

describe('errors', () => {
  it('carries a stable code, a name and a cause', () => {
    const cause = new Error('socket closed');
    const error = new BreakwaterError('store unavailable', 'ERR_BREAKWATER_STORE', { cause });
    expect(error).toMatchObject({ name: 'BreakwaterError', code: 'ERR_BREAKWATER_STORE', message: 'store unavailable', cause });
    expect(error).toBeInstanceOf(Error);
  });

  it('answers instanceof and guards by brand, so a copy from the other build still matches', () => {
    // What the CJS copy of the class produces: a plain object with the shared Symbol.for brands.
    const fromOtherCopy = Object.assign(new Error('t'), {
      [breakwaterErrorBrand]: true,
      [errorBrand('ERR_BREAKWATER_TIMEOUT')]: true,
    });
    expect(fromOtherCopy instanceof BreakwaterError).toBe(true);
    expect(fromOtherCopy instanceof TimeoutError).toBe(true);
    expect(isTimeoutError(fromOtherCopy)).toBe(true);
    expect(isBreakwaterError(new Error('plain'))).toBe(false);
    expect(isBreakwaterError(null)).toBe(false);
  });

  it('does not let a subclass brand leak to siblings: a BreakwaterError is not a TimeoutError', () => {
    const base = new BreakwaterError('x');
    expect(base instanceof TimeoutError).toBe(false);
    expect(isTimeoutError(base)).toBe(false);
  });

  it('makes TimeoutError a cockatiel TaskCancelledError and a BreakwaterError at once', () => {
    const error = new TimeoutError(250, { policy: 'db' });
    expect(error).toBeInstanceOf(TaskCancelledError);
    expect(isTaskCancelledError(error)).toBe(true);
    expect(isBreakwaterError(error)).toBe(true);
    expect(error).toBeInstanceOf(BreakwaterError);
    expect(error).toMatchObject({ name: 'TimeoutError', code: 'ERR_BREAKWATER_TIMEOUT', timeoutMs: 250, message: 'Operation timed out after 250ms (db)' });
  });
});
