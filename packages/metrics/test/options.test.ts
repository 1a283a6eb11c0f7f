import { afterEach, describe, expect, it } from 'vitest';
import { Counter, register, Registry } from 'prom-client';
import { timeout } from '@breakwater/core';
import { createMetrics } from '@breakwater/metrics';
import { metricNames, series } from './exposition.ts';

describe('createMetrics() options', () => {
  afterEach(() => register.clear());

  it('defaults to the global register, the breakwater_ prefix and 100 policies', async () => {
    const metrics = createMetrics();
    expect(metrics.registry).toBe(register);
    expect(metrics.prefix).toBe('breakwater_');
    expect(metrics.maxPolicies).toBe(100);
    metrics.bindTimeout(timeout({ name: 'global', duration: 10 }));
    expect(await series(register, 'breakwater_timeouts_total')).toEqual({ 'breakwater_timeouts_total{policy="global"}': 0 });
  });

  it('creates metrics on first bind only, under the given prefix', async () => {
    const registry = new Registry();
    const metrics = createMetrics({ registry, prefix: 'shop_' });
    expect(await metricNames(registry)).toEqual([]);
    metrics.bindTimeout(timeout({ name: 't', duration: 10 }));
    expect(await metricNames(registry)).toEqual(['shop_policy_call_duration_seconds', 'shop_timeouts_total']);
    // An empty prefix is allowed.
    createMetrics({ registry, prefix: '' }).bindTimeout(timeout({ name: 'u', duration: 10 }));
    expect(await series(registry, 'timeouts_total')).toEqual({ 'timeouts_total{policy="u"}': 0 });
  });

  it('two metrics objects on one registry share the metrics instead of throwing', async () => {
    const registry = new Registry();
    const a = timeout({ name: 'a', duration: 10 });
    const b = timeout({ name: 'b', duration: 10 });
    createMetrics({ registry }).bindTimeout(a);
    expect(() => createMetrics({ registry }).bindTimeout(b)).not.toThrow();
    expect(await series(registry, 'breakwater_timeouts_total')).toEqual({
      'breakwater_timeouts_total{policy="a"}': 0,
      'breakwater_timeouts_total{policy="b"}': 0,
    });
  });

  it('refuses to write into a same-named metric it did not create', () => {
    const registry = new Registry();
    new Counter({ name: 'breakwater_timeouts_total', help: 'mine', registers: [registry] });
    expect(() => createMetrics({ registry }).bindTimeout(timeout({ duration: 10 }))).toThrow(
      'The registry already has a metric named `breakwater_timeouts_total` that @breakwater/metrics did not create; choose another `prefix` or `registry`',
    );
  });

  it.each([
    [null, TypeError, 'Expected the options of createMetrics() to be an object, got `null` (null)'],
    [{ registy: new Registry() }, TypeError, 'Unknown option `registy` for createMetrics(); expected one of `registry`, `prefix`, `maxPolicies`, `durationBuckets`'],
    [{ registry: {} }, TypeError, 'Expected `registry` to be an object with getSingleMetric(), registerMetric(), metrics(), got `[object]` (object)'],
    [{ prefix: 7 }, TypeError, 'Expected `prefix` to be a string, got `7` (number)'],
    [
      { prefix: '9-bad' },
      RangeError,
      'Expected `prefix` to be empty or to start with a letter, `_` or `:` followed by letters, digits, `_` or `:`, got `"9-bad"` (string)',
    ],
    [{ maxPolicies: 0 }, RangeError, 'Expected `maxPolicies` to be an integer from 1 to 10000, got `0` (number)'],
    [{ maxPolicies: 1.5 }, RangeError, 'Expected `maxPolicies` to be an integer from 1 to 10000, got `1.5` (number)'],
    [{ durationBuckets: [] }, TypeError, 'Expected `durationBuckets` to be a non-empty array of numbers, got `[array]` (object)'],
    [
      { durationBuckets: [0.1, 0.1] },
      RangeError,
      'Expected `durationBuckets` to be positive finite numbers in strictly increasing order, got `0.1` (number) at index 1',
    ],
    [{ durationBuckets: ['1'] }, TypeError, 'Expected `durationBuckets` to be positive finite numbers in strictly increasing order, got `"1"` (string) at index 0'],
  ])('rejects %j', (options, type, message) => {
    const thrown = (() => {
      try {
        createMetrics(options as never);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(type);
    expect(thrown).toMatchObject({ message, code: 'ERR_BREAKWATER_INVALID_OPTION' });
  });

  it('rejects a policy of the wrong kind and bad bind options', () => {
    const metrics = createMetrics({ registry: new Registry() });
    expect(() => metrics.bindRetry(timeout(10) as never)).toThrow(
      'Expected the policy given to bindRetry() to be a retry policy with onRetry(), got `[object]` (object)',
    );
    expect(() => metrics.bindBulkhead(undefined as never)).toThrow(
      'Expected the policy given to bindBulkhead() to be a bulkhead policy with onRejected() or onReject(), got `undefined` (undefined)',
    );
    expect(() => metrics.bindTimeout(timeout(10), { name: '' })).toThrow('Expected `name` to be a string of length from 1 and up, got `""` (string)');
    expect(() => metrics.bindTimeout(timeout(10), { nmae: 'x' } as never)).toThrow('Unknown option `nmae` for bindTimeout(); expected one of `name`');
    expect(() => metrics.bind({} as never)).toThrow(
      'Expected the policy given to bind() to be a retry, circuit breaker, bulkhead, timeout, fallback, chaos or rate limit policy (Breakwater or cockatiel), a cache, an idempotency object, a health registry, or a wrap() of them, got `[object]` (object)',
    );
  });
});
