import { describe, expect, it } from 'vitest';
import {
  assertDuration,
  assertInteger,
  assertNumber,
  assertKnownOptions,
  assertMethods,
  assertOneOf,
  describeValue,
  INVALID_OPTION,
  MAX_TIMER_MS,
  withDefaults,
} from '@breakwater/core';

describe('option validation', () => {
  it('names the option, the accepted range and the value received', () => {
    expect(() => assertInteger('maxRetries', -1, { min: 0, max: 100 })).toThrow(RangeError);
    expect(() => assertInteger('maxRetries', -1, { min: 0, max: 100 })).toThrow('Expected `maxRetries` to be an integer from 0 to 100, got `-1` (number)');
    expect(() => assertInteger('capacity', 1.5, { min: 1 })).toThrow('Expected `capacity` to be an integer from 1 and up, got `1.5` (number)');
  });

  it('throws TypeError for a wrong type and RangeError for a value out of range, both with a code', () => {
    const typeError = catchError(() => assertInteger('limit', '5', { min: 1 }));
    expect(typeError).toBeInstanceOf(TypeError);
    expect(typeError).toMatchObject({ code: INVALID_OPTION, message: 'Expected `limit` to be an integer from 1 and up, got `"5"` (string)' });
    expect(catchError(() => assertInteger('limit', 0, { min: 1 }))).toBeInstanceOf(RangeError);
  });

  it.each([Number.NaN, -1, MAX_TIMER_MS + 1, Infinity])('rejects the duration %s', (value) => {
    expect(() => assertDuration('halfOpenAfter', value)).toThrow(RangeError);
  });

  it('accepts Infinity as an integer only when the range allows it', () => {
    expect(() => assertInteger('queue', Infinity, { min: 0, max: Infinity })).not.toThrow();
    expect(() => assertInteger('queue', Infinity, { min: 0, max: 10 })).toThrow(RangeError);
    expect(() => assertInteger('capacity', Infinity, { min: 1 })).toThrow('Expected `capacity` to be an integer from 1 and up, got `Infinity` (number)');
    expect(() => assertNumber('factor', -Infinity)).toThrow(RangeError);
  });

  it('supports exclusive bounds', () => {
    expect(() => assertNumber('backoffRatio', 1, { min: 0.5, below: 1 })).toThrow('Expected `backoffRatio` to be a number from 0.5 to below 1, got `1` (number)');
    expect(() => assertNumber('smoothing', 0, { above: 0, max: 1 })).toThrow('Expected `smoothing` to be a number from above 0 to 1, got `0` (number)');
    expect(() => assertNumber('smoothing', 0.2, { above: 0, max: 1 })).not.toThrow();
  });

  it('lists the accepted values of an enumerated option', () => {
    expect(() => assertOneOf('strategy', 'eager', ['cooperative', 'aggressive'])).toThrow(
      'Expected `strategy` to be one of `cooperative`, `aggressive`, got `"eager"` (string)',
    );
  });

  it('rejects unknown option keys, which catches typos', () => {
    expect(() => assertKnownOptions('retry()', { maxRetry: 3 }, ['maxRetries'])).toThrow('Unknown option `maxRetry` for retry(); expected one of `maxRetries`');
  });

  it('checks that an injected object has the methods it needs', () => {
    expect(() => assertMethods('clock', { now: () => 0 }, ['now', 'setTimeout'])).toThrow('Expected `clock` to be an object with now(), setTimeout(), got `[object]` (object)');
  });

  it('keeps defaults for options given as undefined, and rejects non-object options', () => {
    expect(withDefaults('retry()', { maxRetries: 3 }, { maxRetries: undefined })).toEqual({ maxRetries: 3 });
    expect(() => withDefaults('retry()', { maxRetries: 3 }, 5 as unknown as object)).toThrow('Expected the options of retry() to be an object, got `5` (number)');
  });

  it('describes values of every type', () => {
    expect(describeValue(null)).toBe('`null` (null)');
    expect(describeValue(undefined)).toBe('`undefined` (undefined)');
    expect(describeValue(function named() {})).toBe('`[function named]` (function)');
    expect(describeValue(Symbol('s'))).toBe('`Symbol(s)` (symbol)');
  });
});

function catchError(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
