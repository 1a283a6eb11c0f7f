import { describe, expect, it } from 'vitest';
import { INVALID_OPTION } from '@breakwater/core';
import { breakerCheck, bulkheadCheck, createHealth, gracefulShutdown, redisCheck } from '@breakwater/health';
import { manualHealth } from './helpers.ts';

function invalid(message: string, kind: typeof TypeError | typeof RangeError = TypeError) {
  return expect.objectContaining({ code: INVALID_OPTION, message, constructor: kind });
}

describe('option checks', () => {
  it('createHealth() names the option, the range and the value', () => {
    expect(() => createHealth({ timeoutMs: 0 })).toThrow(invalid('Expected `timeoutMs` to be a number from 1 to 2147483647, got `0` (number)', RangeError));
    expect(() => createHealth({ cacheMs: -1 })).toThrow(invalid('Expected `cacheMs` to be a number from 0 to 2147483647, got `-1` (number)', RangeError));
    expect(() => createHealth({ eventLoopLag: { warnMs: 500, failMs: 100 } })).toThrow(
      invalid('Expected `eventLoopLag.failMs` to be a number from 500 to 2147483647, got `100` (number)', RangeError),
    );
    expect(() => createHealth({ eventLoopLag: true as never })).toThrow(invalid('Expected `eventLoopLag` to be false or an object, got `true` (boolean)'));
    expect(() => createHealth({ timeout: 5 } as never)).toThrow(/Unknown option `timeout` for createHealth\(\)/);
    expect(() => createHealth({ clock: {} as never })).toThrow(/Expected `clock` to be an object with now\(\)/);
  });

  it('register() checks names, checks and options', () => {
    const { health } = manualHealth();
    expect(() => health.register('redis:ping', () => true)).toThrow(
      invalid('Expected `name` to be 1 to 64 printable ASCII characters without spaces or ":", got `"redis:ping"` (string)', RangeError),
    );
    expect(() => health.register('', () => true)).toThrow(/Expected `name`/);
    expect(() => health.register('x'.repeat(65), () => true)).toThrow(/Expected `name`/);
    expect(() => health.register('db', 'nope' as never)).toThrow(invalid('Expected check "db" to be a function or an object with run(), got `"nope"` (string)'));
    expect(() => health.register('db', { run: () => true, measurement: 'a:b' })).toThrow(/Expected measurement of check "db"/);
    expect(() => health.register('db', () => true, { probes: [] })).toThrow(/Expected `probes` to be a non-empty array/);
    expect(() => health.register('db', () => true, { probes: ['liveness' as never] })).toThrow(
      invalid("Expected `probes[]` to be one of `readiness`, `startup`, got `\"liveness\"` (string)", RangeError),
    );
    expect(() => health.register('db', () => true, { timeoutMs: 2 ** 31 })).toThrow(/Expected `timeoutMs` to be a number from 1 to 2147483647/);
    expect(() => health.register('db', () => true, { critical: 1 as never })).toThrow(invalid('Expected `critical` to be a boolean, got `1` (number)'));
    expect(health.checks).toEqual([]);
  });

  it('the ready-made checks check their arguments', () => {
    expect(() => redisCheck({} as never)).toThrow(/Expected `client` to be an object with ping\(\)/);
    expect(() => breakerCheck({ state: 'closed' }, { whenOpen: 'pass' as never })).toThrow(
      invalid('Expected `whenOpen` to be one of `fail`, `warn`, got `"pass"` (string)', RangeError),
    );
    expect(() => breakerCheck(undefined as never)).toThrow(/Expected `breaker` to be a circuit breaker/);
    const stats = { executing: 0, queued: 0, capacity: 1, queueCapacity: 0 };
    expect(() => bulkheadCheck(stats, { warnAt: 0.9, failAt: 0.5 })).toThrow(
      invalid('Expected `failAt` to be a number from 0.9 to 1, got `0.5` (number)', RangeError),
    );
    expect(() => bulkheadCheck({ executing: 1 } as never)).toThrow(/Expected `bulkhead` to have numeric/);
  });

  it('gracefulShutdown() checks its options, and needs time for resources within the deadline', () => {
    const listeners = process.listenerCount('SIGTERM');
    expect(() => gracefulShutdown({ readinessDelayMs: 5_000, drainTimeoutMs: 10_000, deadlineMs: 15_000 })).toThrow(
      invalid('Expected `deadlineMs` to be above readinessDelayMs + drainTimeoutMs (15000), so resources get time to close, got `15000` (number)', RangeError),
    );
    expect(() => gracefulShutdown({ signals: ['SIGKILL' as never] })).toThrow(/Expected `signals\[0\]` to be one of `SIGTERM`/);
    expect(() => gracefulShutdown({ servers: [{}] as never })).toThrow(/Expected `servers\[0\]` to be an object with close\(\)/);
    expect(() => gracefulShutdown({ resources: [{ name: '', close: () => {} }] })).toThrow(/Expected `resources\[0\].name` to be a string of length from 1/);
    expect(() => gracefulShutdown({ resources: [{ name: 'db' }] as never })).toThrow(invalid('Expected `resources[0].close` to be a function, got `undefined` (undefined)'));
    expect(() => gracefulShutdown({ health: {} as never })).toThrow(/Expected `health` to be an object with markShuttingDown\(\)/);
    expect(() => gracefulShutdown({ drainTimeout: 1 } as never)).toThrow(/Unknown option `drainTimeout` for gracefulShutdown\(\)/);
    // Nothing was armed by a constructor that threw.
    expect(process.listenerCount('SIGTERM')).toBe(listeners);
  });
});
