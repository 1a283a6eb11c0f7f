import { describe, expect, it } from 'vitest';
import { INVALID_OPTION } from '@breakwater/core';
import { AimdLimit, GradientLimit, bulkhead } from '@breakwater/bulkhead';

const aimd = (extra: object) => ({ capacity: undefined, adaptive: { algorithm: 'aimd', ...extra } });
const gradient = (extra: object) => ({ adaptive: { algorithm: 'gradient', ...extra } });

describe('bulkhead() options', () => {
  it.each([
    [undefined, 'Expected `capacity` to be an integer from 1 and up, got `undefined` (undefined); it is required unless `adaptive` is set'],
    [{}, 'Expected `capacity` to be an integer from 1 and up, got `undefined` (undefined); it is required unless `adaptive` is set'],
    [null, 'Expected the options of bulkhead() to be an object, got `null` (null)'],
    [0, 'Expected `capacity` to be an integer from 1 and up, got `0` (number)'],
    [{ capacity: 0 }, 'Expected `capacity` to be an integer from 1 and up, got `0` (number)'],
    [{ capacity: 2.5 }, 'Expected `capacity` to be an integer from 1 and up, got `2.5` (number)'],
    [{ capacity: Number.NaN }, 'Expected `capacity` to be an integer from 1 and up, got `NaN` (number)'],
    [{ capacity: '10' }, 'Expected `capacity` to be an integer from 1 and up, got `"10"` (string)'],
    [{ capacity: Infinity }, 'Expected `capacity` to be an integer from 1 and up, got `Infinity` (number)'],
    [{ capacity: 1, queue: -1 }, 'Expected `queue` to be an integer from 0 and up, got `-1` (number)'],
    [{ capacity: 1, queue: 0.5 }, 'Expected `queue` to be an integer from 0 and up, got `0.5` (number)'],
    [{ capacity: 1, queue: Infinity }, 'Expected `queue` to be an integer from 0 and up, got `Infinity` (number)'],
    [{ capacity: 1, name: '' }, 'Expected `name` to be a string of length from 1 and up, got `""` (string)'],
    [{ capacity: 1, name: 7 }, 'Expected `name` to be a string, got `7` (number)'],
    [{ capacity: 1, clock: {} }, 'Expected `clock` to be an object with now(), got `[object]` (object)'],
    [{ capacity: 1, queueSize: 3 }, 'Unknown option `queueSize` for bulkhead(); expected one of `capacity`, `queue`, `name`, `clock`, `adaptive`'],
    [{ adaptive: 'aimd' }, 'Expected `adaptive` to be an object, got `"aimd"` (string)'],
    [{ adaptive: {} }, 'Expected `adaptive.algorithm` to be one of `aimd`, `gradient`, got `undefined` (undefined)'],
    [{ adaptive: { algorithm: 'vegas' } }, 'Expected `adaptive.algorithm` to be one of `aimd`, `gradient`, got `"vegas"` (string)'],
    [aimd({ isDrop: true }), 'Expected `adaptive.isDrop` to be a function, got `true` (boolean)'],
    [aimd({ min: 0 }), 'Expected `adaptive.min` to be an integer from 1 and up, got `0` (number)'],
    [aimd({ max: Infinity }), 'Expected `adaptive.max` to be an integer from 1 and up, got `Infinity` (number)'],
    [aimd({ min: 50, max: 10 }), 'Expected `adaptive.min` (50) to be at most `adaptive.max` (10)'],
    [aimd({ max: 10 }), 'Expected `adaptive.min` (20) to be at most `adaptive.max` (10)'],
    [aimd({ initial: 5 }), 'Expected `adaptive.initial` to be an integer from 20 to 200, got `5` (number)'],
    [{ capacity: 5, adaptive: { algorithm: 'aimd' } }, 'Expected `capacity` to be an integer from 20 to 200, got `5` (number)'],
    [{ capacity: 30, adaptive: { algorithm: 'aimd', initial: 40 } }, 'Expected either `capacity` or `adaptive.initial` (both are the initial limit), got 30 and 40'],
    [aimd({ backoffRatio: 1 }), 'Expected `adaptive.backoffRatio` to be a number from 0.5 to below 1, got `1` (number)'],
    [aimd({ backoffRatio: 0.4 }), 'Expected `adaptive.backoffRatio` to be a number from 0.5 to below 1, got `0.4` (number)'],
    [aimd({ timeout: 0 }), 'Expected `adaptive.timeout` to be a number from 1 to 2147483647, got `0` (number)'],
    [
      aimd({ smoothing: 0.5 }),
      'Unknown option `smoothing` for bulkhead({ adaptive }); expected one of `backoffRatio`, `timeout`, `min`, `max`, `initial`, `algorithm`, `isDrop`',
    ],
    [gradient({ smoothing: 0 }), 'Expected `adaptive.smoothing` to be a number from above 0 to 1, got `0` (number)'],
    [gradient({ smoothing: 1.5 }), 'Expected `adaptive.smoothing` to be a number from above 0 to 1, got `1.5` (number)'],
    [gradient({ queueSize: -1 }), 'Expected `adaptive.queueSize` to be an integer from 0 and up, got `-1` (number)'],
    [gradient({ longWindow: 0 }), 'Expected `adaptive.longWindow` to be an integer from 1 and up, got `0` (number)'],
    [gradient({ rttTolerance: 0.9 }), 'Expected `adaptive.rttTolerance` to be a number from 1 and up, got `0.9` (number)'],
    [gradient({ rttTolerance: Infinity }), 'Expected `adaptive.rttTolerance` to be a number from 1 and up, got `Infinity` (number)'],
    [gradient({ backoffRatio: 0.9 }), 'Unknown option `backoffRatio` for bulkhead({ adaptive })'],
  ])('rejects %o', (options, message) => {
    expect(() => bulkhead(options as never)).toThrow(message);
  });

  it('throws TypeError for a wrong type and RangeError for a value out of range, both with a code', () => {
    const typeError = catchError(() => bulkhead({ capacity: '1' as never }));
    expect(typeError).toBeInstanceOf(TypeError);
    expect(typeError).toMatchObject({ code: INVALID_OPTION });
    const rangeErrors = [
      catchError(() => bulkhead({ capacity: 1, queue: Infinity })),
      catchError(() => bulkhead({ adaptive: { algorithm: 'aimd', min: 9, max: 8 } })),
      catchError(() => bulkhead({ adaptive: { algorithm: 'gradient', smoothing: 0 } })),
    ];
    for (const error of rangeErrors) {
      expect(error).toBeInstanceOf(RangeError);
      expect(error).toMatchObject({ code: INVALID_OPTION });
    }
  });

  it('keeps the default for an option given as undefined, and accepts a bare capacity', () => {
    const policy = bulkhead({ capacity: 3, queue: undefined, name: undefined });
    expect({ name: policy.name, queueCapacity: policy.queueCapacity, capacity: policy.capacity }).toEqual({ name: 'bulkhead', queueCapacity: 0, capacity: 3 });
    expect(bulkhead(4).capacity).toBe(4);
    expect(bulkhead({ capacity: 30, adaptive: { algorithm: 'aimd', initial: 30 } }).capacity).toBe(30);
  });
});

describe('limit algorithm options', () => {
  it.each([
    [() => new AimdLimit({ backoffRatio: 2 }), 'Expected `backoffRatio` to be a number from 0.5 to below 1, got `2` (number)'],
    [() => new AimdLimit({ algorithm: 'aimd' } as never), 'Unknown option `algorithm` for AimdLimit; expected one of `backoffRatio`, `timeout`, `min`, `max`, `initial`'],
    [() => new AimdLimit({ min: 1, max: 5, initial: 6 }), 'Expected `initial` to be an integer from 1 to 5, got `6` (number)'],
    [() => new GradientLimit({ min: 0 }), 'Expected `min` to be an integer from 1 and up, got `0` (number)'],
    [() => new GradientLimit({ longWindow: 1.5 }), 'Expected `longWindow` to be an integer from 1 and up, got `1.5` (number)'],
    [() => new GradientLimit(null as never), 'Expected the options of GradientLimit to be an object, got `null` (null)'],
  ])('rejects invalid options (%#)', (build, message) => {
    expect(build).toThrow(message);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
