import { describe, expect, it } from 'vitest';
import { memoryStore, rateLimit, type RateLimiterOptions } from '@breakwater/rate-limit';
import { redisStore } from '@breakwater/rate-limit/redis';

const limits = { quota: 10, windowMs: 1_000 };

describe('options are checked at construction', () => {
  it.each<[string, unknown, string | RegExp]>([
    ['no limits', {}, 'Expected `limits` to be a limit or a list of 1 to 16 limits'],
    ['empty limits', { limits: [] }, 'Expected `limits` to be a limit or a list of 1 to 16 limits'],
    ['quota 0', { limits: { quota: 0, windowMs: 1_000 } }, 'Expected `limits[0].quota` to be an integer from 1 to 1000000000000, got `0` (number)'],
    ['fractional quota', { limits: { quota: 1.5, windowMs: 1_000 } }, 'Expected `limits[0].quota` to be an integer'],
    ['window 0', { limits: { quota: 1, windowMs: 0 } }, 'Expected `limits[0].windowMs` to be an integer from 1 and up, got `0` (number)'],
    ['window too long', { limits: { quota: 1, windowMs: 2 ** 31 } }, '`limits[0].windowMs`'],
    ['duplicate names', { limits: [limits, limits] }, 'Expected `limits[1].name` to be unique within the limiter, got `"10-per-1s"` (string) twice'],
    ['bad limit name', { limits: { ...limits, name: 'a b' } }, 'Expected `limits[0].name` to use letters, digits and -_.:/ only'],
    ['unknown limit option', { limits: { ...limits, max: 3 } }, 'Unknown option `max`'],
    ['unknown option', { limits, windowMs: 1 }, 'Unknown option `windowMs` for rateLimit()'],
    ['algorithm', { limits, algorithm: 'leaky' }, 'Expected `algorithm` to be one of `gcra`, `token-bucket`, `sliding-window`, `fixed-window`, got `"leaky"` (string)'],
    ['outage', { limits, outage: 'open' }, 'Expected `outage` to be one of `memory-fallback`, `fail-open`, `fail-closed`'],
    ['instances', { limits, instances: 0 }, 'Expected `instances` to be an integer from 1 to 10000, got `0` (number)'],
    ['recoverAfterMs', { limits, recoverAfterMs: -1 }, 'Expected `recoverAfterMs` to be a number from 0 to 2147483647, got `-1` (number)'],
    ['cost above the smallest quota', { limits, cost: 11 }, 'Expected `cost` to be a number from 0 to 10 (the smallest quota), got `11` (number)'],
    ['name', { limits, name: 'my limiter' }, 'Expected `name` to use letters, digits and -_.:/ only'],
    ['store', { limits, store: {} }, 'Expected `store` to be an object with decide()'],
    ['consumeWhenDenied', { limits, consumeWhenDenied: 'yes' }, 'Expected `consumeWhenDenied` to be a boolean'],
  ])('%s', (_, options, message) => {
    expect(() => rateLimit(options as RateLimiterOptions)).toThrow(message);
    try {
      rateLimit(options as RateLimiterOptions);
    } catch (error) {
      expect((error as { code: string }).code).toBe('ERR_BREAKWATER_INVALID_OPTION');
    }
  });

  it('fills in the defaults', () => {
    const limiter = rateLimit({ limits: [{ quota: 1_000, windowMs: 3_600_000 }, { quota: 5, windowMs: 1_500 }, { quota: 60, windowMs: 60_000 }] });
    expect(limiter).toMatchObject({ name: 'rate-limit', algorithm: 'gcra', outage: 'memory-fallback', degraded: false });
    expect(limiter.limits.map((l) => l.name)).toEqual(['1000-per-1h', '5-per-1500ms', '60-per-1m']);
    expect(limiter.store.kind).toBe('memory');
  });

  it('checks the memory store and Redis store options', () => {
    expect(() => memoryStore({ maxKeys: 0 })).toThrow('Expected `maxKeys` to be an integer from 1 and up, got `0` (number)');
    expect(() => redisStore({} as never)).toThrow('Expected `client` to be an ioredis Redis or Cluster instance');
    const fake = { evalsha: () => Promise.resolve([]), eval: () => Promise.resolve([]), pipeline: () => ({}), status: 'ready' } as never;
    expect(() => redisStore(fake, { prefix: 'a{b' })).toThrow('Expected `prefix` to be printable ASCII without `{`, `}` or spaces');
    expect(() => redisStore(fake, { commandTimeoutMs: 0 })).toThrow('Expected `commandTimeoutMs` to be a number from 1 to 2147483647, got `0` (number)');
    expect(() => redisStore(fake, { timeout: 5 } as never)).toThrow('Unknown option `timeout` for redisStore()');
    expect(() => redisStore(fake, { batch: 1 } as never)).toThrow('Expected `batch` to be a boolean, got `1` (number)');
    expect(() => redisStore(fake, { now: 5 } as never)).toThrow('Expected `now` to be a function, got `5` (number)');
  });
});
