import { describe, expect, it } from 'vitest';
import { INVALID_OPTION } from '@breakwater/core';
import { breakerRegistry, circuitBreaker, consecutive, countWindow, timeWindow } from '@breakwater/circuit-breaker';

const snapshot = { version: 1, state: 'closed', takenAt: 0, halfOpenAt: null, opens: 0, window: { kind: 'consecutive', failures: 0, slowCalls: 0 } };
const store = { load: () => undefined, save: () => {} };

describe('invalid options are rejected at construction', () => {
  it.each<[string, () => unknown, string]>([
    ['options', () => circuitBreaker(5 as never), 'Expected the options of circuitBreaker() to be an object, got `5` (number)'],
    ['unknown', () => circuitBreaker({ treshold: 5 } as never), 'Unknown option `treshold` for circuitBreaker(); expected one of `strategy`, `breakDuration`'],
    ['strategy', () => circuitBreaker({ strategy: {} as never }), 'Expected `strategy` to be an object with create(), got `[object]` (object)'],
    ['strategy', () => circuitBreaker({ strategy: 'consecutive' as never }), 'Expected `strategy` to be an object with create(), got `"consecutive"` (string)'],
    ['breakDuration', () => circuitBreaker({ breakDuration: 0 }), 'Expected `breakDuration` to be a number from 1 to 2147483647, got `0` (number)'],
    ['breakDuration', () => circuitBreaker({ breakDuration: 2 ** 31 }), 'Expected `breakDuration` to be a number from 1 to 2147483647, got `2147483648` (number)'],
    ['breakDuration', () => circuitBreaker({ breakDuration: Number.NaN }), 'Expected `breakDuration` to be a number from 1 to 2147483647, got `NaN` (number)'],
    ['breakDuration', () => circuitBreaker({ breakDuration: '30s' as never }), 'Expected `breakDuration` to be a number from 1 to 2147483647, got `"30s"` (string)'],
    ['breakDurationBackoff', () => circuitBreaker({ breakDurationBackoff: 2 as never }), 'Expected `breakDurationBackoff` to be an object with factor and max, got `2` (number)'],
    ['breakDurationBackoff', () => circuitBreaker({ breakDurationBackoff: { factr: 2 } as never }), 'Unknown option `factr` for breakDurationBackoff'],
    ['breakDurationBackoff.factor', () => circuitBreaker({ breakDurationBackoff: { factor: 0.5 } }), 'Expected `breakDurationBackoff.factor` to be a number from 1 to 100, got `0.5` (number)'],
    ['breakDurationBackoff.max', () => circuitBreaker({ breakDuration: 1_000, breakDurationBackoff: { max: 10 } }), 'Expected `breakDurationBackoff.max` to be a number from 1000 to 2147483647, got `10` (number)'],
    ['halfOpenProbes', () => circuitBreaker({ halfOpenProbes: 0 }), 'Expected `halfOpenProbes` to be an integer from 1 to 10000, got `0` (number)'],
    ['halfOpenProbes', () => circuitBreaker({ halfOpenProbes: 1.5 }), 'Expected `halfOpenProbes` to be an integer from 1 to 10000, got `1.5` (number)'],
    ['halfOpenProbes', () => circuitBreaker({ halfOpenProbes: Infinity }), 'Expected `halfOpenProbes` to be an integer from 1 to 10000, got `Infinity` (number)'],
    ['slowCallDuration', () => circuitBreaker({ slowCallDuration: 0 }), 'Expected `slowCallDuration` to be a number from 1 to 2147483647, got `0` (number)'],
    ['slowCallDuration', () => circuitBreaker({ slowCallDuration: -5 }), 'Expected `slowCallDuration` to be a number from 1 to 2147483647, got `-5` (number)'],
    ['handle', () => circuitBreaker({ handle: true as never }), 'Expected `handle` to be a function, got `true` (boolean)'],
    ['handleResult', () => circuitBreaker({ handleResult: 500 as never }), 'Expected `handleResult` to be a function, got `500` (number)'],
    ['name', () => circuitBreaker({ name: '' }), 'Expected `name` to be a string of length from 1 and up, got `""` (string)'],
    ['clock', () => circuitBreaker({ clock: { now: () => 0 } as never }), 'Expected `clock` to be an object with now(), epochNow(), got `[object]` (object)'],
    ['initialState', () => circuitBreaker({ initialState: 'closed' as never }), 'Expected `initialState` to be a snapshot from toJSON(), got `"closed"` (string)'],
    ['initialState.version', () => circuitBreaker({ initialState: { ...snapshot, version: 2 } as never }), 'Expected `initialState.version` to be one of `1`, got `2` (number)'],
    ['initialState.state', () => circuitBreaker({ initialState: { ...snapshot, state: 'ajar' } as never }), 'Expected `initialState.state` to be one of `closed`, `open`, `half-open`, `isolated`, got `"ajar"` (string)'],
    ['initialState.takenAt', () => circuitBreaker({ initialState: { ...snapshot, takenAt: -1 } as never }), 'Expected `initialState.takenAt` to be a number from 0 to 9007199254740991, got `-1` (number)'],
    ['initialState.halfOpenAt', () => circuitBreaker({ initialState: { ...snapshot, state: 'open' } as never }), 'Expected `initialState.halfOpenAt` to be a number from 0 to 9007199254740991, got `null` (null)'],
    ['initialState.opens', () => circuitBreaker({ initialState: { ...snapshot, opens: 0.5 } as never }), 'Expected `initialState.opens` to be an integer from 0 to 9007199254740991, got `0.5` (number)'],
    ['initialState.window', () => circuitBreaker({ initialState: { ...snapshot, window: {} } as never }), 'Expected `initialState.window` to be an object with a string `kind`, got `[object]` (object)'],
    ['store', () => circuitBreaker({ store: { load: () => undefined } as never }), 'Expected `store` to be an object with load(), save(), got `[object]` (object)'],
    ['store + initialState', () => circuitBreaker({ store, initialState: snapshot as never }), 'Expected only one of `initialState` and `store`'],

    ['consecutive()', () => consecutive(3 as never), 'Expected the options of consecutive() to be an object, got `3` (number)'],
    ['consecutive().threshold', () => consecutive({ threshold: 0 }), 'Expected `threshold` to be an integer from 1 to 1000000, got `0` (number)'],
    ['consecutive().threshold', () => consecutive({ threshold: 2.5 }), 'Expected `threshold` to be an integer from 1 to 1000000, got `2.5` (number)'],
    ['consecutive() unknown', () => consecutive({ failures: 3 } as never), 'Unknown option `failures` for consecutive(); expected one of `threshold`'],

    ['countWindow().size', () => countWindow({ size: 0 }), 'Expected `size` to be an integer from 1 to 1000000, got `0` (number)'],
    ['countWindow().failureRatio', () => countWindow({ failureRatio: 0 }), 'Expected `failureRatio` to be a number from above 0 to 1, got `0` (number)'],
    ['countWindow().failureRatio', () => countWindow({ failureRatio: 50 }), 'Expected `failureRatio` to be a number from above 0 to 1, got `50` (number)'],
    ['countWindow().failureRatio', () => countWindow({ failureRatio: '0.5' as never }), 'Expected `failureRatio` to be a number from above 0 to 1, got `"0.5"` (string)'],
    ['countWindow().minimumCalls', () => countWindow({ size: 10, minimumCalls: 11 }), 'Expected `minimumCalls` to be an integer from 1 to 10, got `11` (number)'],
    ['countWindow() unknown', () => countWindow({ windowSize: 10 } as never), 'Unknown option `windowSize` for countWindow()'],

    ['timeWindow().duration', () => timeWindow({ duration: 0 }), 'Expected `duration` to be a number from 1 to 2147483647, got `0` (number)'],
    ['timeWindow().buckets', () => timeWindow({ buckets: 0 }), 'Expected `buckets` to be an integer from 1 to 1000, got `0` (number)'],
    ['timeWindow().buckets', () => timeWindow({ duration: 5, buckets: 10 }), 'Expected `buckets` to be an integer from 1 to 5, got `10` (number)'],
    ['timeWindow().failureRatio', () => timeWindow({ failureRatio: Number.NaN }), 'Expected `failureRatio` to be a number from above 0 to 1, got `NaN` (number)'],
    ['timeWindow().minimumCalls', () => timeWindow({ minimumCalls: 0 }), 'Expected `minimumCalls` to be an integer from 1 to 1000000, got `0` (number)'],
    ['timeWindow() unknown', () => timeWindow({ window: 5 } as never), 'Unknown option `window` for timeWindow()'],

    ['breakerRegistry().create', () => breakerRegistry({} as never), 'Expected `create` to be a function, got `undefined` (undefined)'],
    ['breakerRegistry().max', () => breakerRegistry({ create: () => circuitBreaker(), max: 0 }), 'Expected `max` to be an integer from 1 to 100000, got `0` (number)'],
    ['breakerRegistry().max', () => breakerRegistry({ create: () => circuitBreaker(), max: 100_001 }), 'Expected `max` to be an integer from 1 to 100000, got `100001` (number)'],
    ['breakerRegistry() unknown', () => breakerRegistry({ create: () => circuitBreaker(), ttl: 5 } as never), 'Unknown option `ttl` for breakerRegistry()'],
  ])('%s', (_, build, message) => {
    let thrown: unknown;
    try {
      build();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toContain(message);
    expect(thrown).toMatchObject({ code: INVALID_OPTION });
    expect(thrown instanceof TypeError || thrown instanceof RangeError).toBe(true);
  });

  it('treats undefined as "use the default"', () => {
    const breaker = circuitBreaker({ breakDuration: undefined, halfOpenProbes: undefined, name: undefined });
    expect(breaker).toMatchObject({ name: 'circuit-breaker', halfOpenProbes: 1 });
  });

  it('throws RangeError for a value out of range and TypeError for a wrong type', () => {
    expect(() => circuitBreaker({ halfOpenProbes: 0 })).toThrow(RangeError);
    expect(() => circuitBreaker({ halfOpenProbes: '1' as never })).toThrow(TypeError);
    expect(() => countWindow({ failureRatio: 2 })).toThrow(RangeError);
    expect(() => countWindow({ failureRatio: null as never })).toThrow(TypeError);
  });
});
