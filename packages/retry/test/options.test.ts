import { describe, expect, it } from 'vitest';
import { ConstantBackoff } from 'cockatiel';
import { retry, retryBudget, retryPresets, isRetryableResponse } from '@breakwater/retry';

describe('retry() options', () => {
  it('exposes its resolved settings and accepts every valid form', () => {
    expect(retry()).toMatchObject({ name: 'retry', maxRetries: 3, budget: undefined });
    const shared = retryBudget();
    expect(retry({ budget: shared }).budget).toBe(shared);
    expect(retry({ maxRetries: 100 }).maxRetries).toBe(100);
    expect(() => retry({ backoff: new ConstantBackoff(10) })).not.toThrow();
    expect(() => retry({ backoff: () => 5, respectRetryAfter: false, maxTotalDelay: 0, jitter: 'decorrelated' })).not.toThrow();
    // A long baseDelay lifts the default cap instead of failing against it.
    expect(() => retry({ baseDelay: 60_000 })).not.toThrow();
  });

  it('keeps the default for an option given as undefined', () => {
    expect(retry({ maxRetries: undefined, name: undefined })).toMatchObject({ maxRetries: 3, name: 'retry' });
  });

  it('ships presets that are valid, frozen options', () => {
    expect(Object.keys(retryPresets)).toEqual(['fast', 'http', 'background']);
    expect(retry(retryPresets.fast).maxRetries).toBe(2);
    expect(retry({ ...retryPresets.http, name: 'billing' })).toMatchObject({ maxRetries: 3, name: 'billing' });
    expect(retryPresets.http.handleResult).toBe(isRetryableResponse);
    expect(retry(retryPresets.background).maxRetries).toBe(8);
    expect(Object.isFrozen(retryPresets.http)).toBe(true);
  });

  it.each([
    [{ maxRetries: -1 }, RangeError, 'Expected `maxRetries` to be an integer from 0 to 100, got `-1` (number)'],
    [{ maxRetries: 101 }, RangeError, 'Expected `maxRetries` to be an integer from 0 to 100, got `101` (number)'],
    [{ maxRetries: 1.5 }, RangeError, 'Expected `maxRetries` to be an integer from 0 to 100, got `1.5` (number)'],
    [{ maxRetries: Infinity }, RangeError, 'Expected `maxRetries` to be an integer from 0 to 100, got `Infinity` (number)'],
    [{ maxRetries: Number.NaN }, RangeError, 'got `NaN` (number)'],
    [{ maxRetries: '3' }, TypeError, 'Expected `maxRetries` to be an integer from 0 to 100, got `"3"` (string)'],
    [{ backoff: 'fibonacci' }, RangeError, 'Expected `backoff` to be one of `exponential`, `linear`, `constant`, got `"fibonacci"` (string)'],
    [{ backoff: 100 }, TypeError, 'Expected `backoff` to be one of `exponential`, `linear`, `constant`, got `100` (number)'],
    [{ backoff: null }, TypeError, 'Expected `backoff` to be one of `exponential`, `linear`, `constant`, got `null` (null)'],
    [{ backoff: {} }, TypeError, 'Expected `backoff` to be an object with next(), got `[object]` (object)'],
    [{ baseDelay: -1 }, RangeError, 'Expected `baseDelay` to be a number from 0 to 2147483647, got `-1` (number)'],
    [{ baseDelay: 2_147_483_648 }, RangeError, 'Expected `baseDelay` to be a number from 0 to 2147483647, got `2147483648` (number)'],
    [{ factor: 0.5 }, RangeError, 'Expected `factor` to be a number from 1 to 100, got `0.5` (number)'],
    [{ factor: 101 }, RangeError, 'Expected `factor` to be a number from 1 to 100, got `101` (number)'],
    [{ baseDelay: 500, maxDelay: 100 }, RangeError, 'Expected `maxDelay` to be a number from 500 to 2147483647, got `100` (number)'],
    [{ maxDelay: Infinity }, RangeError, 'Expected `maxDelay` to be a number from 100 to 2147483647, got `Infinity` (number)'],
    [{ jitter: 'random' }, RangeError, 'Expected `jitter` to be one of `full`, `equal`, `decorrelated`, `none`, got `"random"` (string)'],
    [{ jitter: true }, TypeError, 'Expected `jitter` to be one of `full`, `equal`, `decorrelated`, `none`, got `true` (boolean)'],
    [{ random: 0.5 }, TypeError, 'Expected `random` to be a function, got `0.5` (number)'],
    [{ maxTotalDelay: -5 }, RangeError, 'Expected `maxTotalDelay` to be a number from 0 and up, got `-5` (number)'],
    [{ handle: true }, TypeError, 'Expected `handle` to be a function, got `true` (boolean)'],
    [{ handleResult: 'status' }, TypeError, 'Expected `handleResult` to be a function, got `"status"` (string)'],
    [{ respectRetryAfter: 'yes' }, TypeError, 'Expected `respectRetryAfter` to be a boolean, got `"yes"` (string)'],
    [{ budget: true }, TypeError, 'Expected `budget` to be an object with recordCall(), tryAcquireRetry(), got `true` (boolean)'],
    [{ budget: { ratio: 0.2 } }, TypeError, 'Expected `budget` to be an object with recordCall(), tryAcquireRetry(), got `[object]` (object)'],
    [{ name: '' }, RangeError, 'Expected `name` to be a string of length from 1 and up, got `""` (string)'],
    [{ name: 7 }, TypeError, 'Expected `name` to be a string, got `7` (number)'],
    [{ clock: { now: () => 0 } }, TypeError, 'Expected `clock` to be an object with now(), epochNow(), setTimeout(), clearTimeout(), got `[object]` (object)'],
    [{ maxRetry: 3 }, TypeError, 'Unknown option `maxRetry` for retry(); expected one of `maxRetries`, `backoff`'],
    [{ initialDelay: 100 }, TypeError, 'Unknown option `initialDelay` for retry()'],
  ])('rejects %o at construction', (options, kind, message) => {
    const attempt = () => retry(options as never);
    expect(attempt).toThrow(kind);
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(expect.objectContaining({ code: 'ERR_BREAKWATER_INVALID_OPTION' }));
  });

  it.each([[null], ['fast'], [true]])('rejects options that are not an object: %o', (options) => {
    expect(() => retry(options as never)).toThrow('Expected the options of retry() to be an object');
  });

  it.each([
    [{ ratio: -0.1 }, RangeError, 'Expected `ratio` to be a number from 0 to 1, got `-0.1` (number)'],
    [{ ratio: 2 }, RangeError, 'Expected `ratio` to be a number from 0 to 1, got `2` (number)'],
    [{ minRetries: 2.5 }, RangeError, 'Expected `minRetries` to be an integer from 0 to 9007199254740991, got `2.5` (number)'],
    [{ minRetries: -1 }, RangeError, 'Expected `minRetries` to be an integer from 0 to 9007199254740991, got `-1` (number)'],
    [{ window: 5 }, RangeError, 'Expected `window` to be a number from 10 to 2147483647, got `5` (number)'],
    [{ window: '10s' }, TypeError, 'Expected `window` to be a number from 10 to 2147483647, got `"10s"` (string)'],
    [{ clock: {} }, TypeError, 'Expected `clock` to be an object with now()'],
    [{ size: 5 }, TypeError, 'Unknown option `size` for retryBudget()'],
  ])('retryBudget() rejects %o', (options, kind, message) => {
    const attempt = () => retryBudget(options as never);
    expect(attempt).toThrow(kind);
    expect(attempt).toThrow(message);
  });
});
