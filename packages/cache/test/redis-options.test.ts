import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  escapeGlob,
  isL2UnavailableError,
  L2UnavailableError,
  redisInvalidationBus,
  redisLoaderLock,
  redisTier,
} from '@breakwater/cache/redis';
import { isBreakwaterError } from '@breakwater/core';
import { startRedis, type RedisServer } from 'breakwater-test-utils';
import type { Redis } from 'ioredis';

describe('options of the Redis parts', () => {
  let server: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    server = await startRedis();
    client = await server.client();
  });
  afterAll(() => server?.stop());

  const factories = [
    ['redisTier()', (options: object) => redisTier(client, options)],
    ['redisLoaderLock()', (options: object) => redisLoaderLock(client, options)],
  ] as const;

  it.each(factories)('%s names the option, the range and the value it got', (_name, make) => {
    expect(() => make({ commandTimeoutMs: 0 })).toThrow('Expected `commandTimeoutMs` to be a number from 1 to 60000, got `0` (number)');
    expect(() => make({ commandTimeoutMs: '100' })).toThrow(TypeError);
    expect(() => make({ breakerThreshold: 1.5 })).toThrow('Expected `breakerThreshold` to be an integer from 1 to 1000, got `1.5` (number)');
    expect(() => make({ breakerOpenMs: -1 })).toThrow(RangeError);
    expect(() => make({ prefix: 7 })).toThrow('Expected `prefix` to be a string, got `7` (number)');
    expect(() => make({ prefix: 'a\nb' })).toThrow(/`prefix` to contain no CR or LF/);
    expect(() => make({ prefix: 'x'.repeat(257) })).toThrow(/`prefix` to be a string of length from 0 to 256/);
    expect(() => make({ clock: {} })).toThrow(/`clock` to be an object with now\(\), epochNow\(\)/);
    expect(() => make({ commandTimeout: 100 })).toThrow(/Unknown option `commandTimeout`/);
    expect(() => make({ commandTimeoutMs: undefined })).not.toThrow();
  });

  it('redisTier() checks its own options and the client', () => {
    expect(() => redisTier(client, { scanCount: 5 })).toThrow('Expected `scanCount` to be an integer from 10 to 10000, got `5` (number)');
    expect(() => redisTier(client, { closeClient: 'yes' as unknown as boolean })).toThrow('Expected `closeClient` to be a boolean');
    expect(() => redisTier(client, { maxTtlMs: 0 })).toThrow(RangeError);
    expect(() => redisTier(client, { maxTtlMs: Infinity })).toThrow(/`maxTtlMs` to be an integer from 1 to 31536000000/);
    expect(() => redisTier(client, { maxTtlMs: 1.5 })).toThrow(/`maxTtlMs`/);
    expect(() => redisTier(client, { maxTtlMs: 3_600_000 })).not.toThrow();
    expect(() => redisTier({} as Redis)).toThrow(/client of redisTier\(\) to be an ioredis Redis or Cluster/);
    expect(() => redisTier(null as unknown as Redis)).toThrow(TypeError);
    expect(() => redisTier(client, 'fast' as never)).toThrow(/options of redisTier\(\) to be an object/);
  });

  it('redisInvalidationBus() checks its options before opening a connection', () => {
    expect(() => redisInvalidationBus(client, { instanceId: 'x'.repeat(300) })).toThrow(/`instanceId` to be a string of length from 1 to 256/);
    expect(() => redisInvalidationBus(client, { clearOnReconnect: 1 as unknown as boolean })).toThrow('Expected `clearOnReconnect` to be a boolean');
    expect(() => redisInvalidationBus(client, { channel: 'x' } as never)).toThrow(/Unknown option `channel`/);
  });

  it('invalid-option errors carry the shared code', () => {
    try {
      redisTier(client, { commandTimeoutMs: -5 });
      expect.unreachable();
    } catch (error) {
      expect((error as { code?: string }).code).toBe('ERR_BREAKWATER_INVALID_OPTION');
    }
  });
});

describe('L2UnavailableError', () => {
  it('is a BreakwaterError with a stable code, a brand and a guard', () => {
    const cause = new Error('socket hang up');
    const error = new L2UnavailableError({ operation: 'get', reason: 'command-failed', cause });
    expect(error).toBeInstanceOf(L2UnavailableError);
    expect(error).toBeInstanceOf(Error);
    expect(isBreakwaterError(error)).toBe(true);
    expect(isL2UnavailableError(error)).toBe(true);
    expect(error.code).toBe('ERR_BREAKWATER_L2_UNAVAILABLE');
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('Redis get skipped: the command failed: socket hang up');
    expect(new L2UnavailableError({ operation: 'set', reason: 'breaker-open', retryAfterMs: 1234.2 }).message).toBe(
      'Redis set skipped: the L2 breaker is open (next probe in 1235ms)',
    );
    // The brand, not the class identity, answers: a copy from the other build is recognised.
    const foreign = Object.assign(new Error('x'), { [Symbol.for('breakwater.error.ERR_BREAKWATER_L2_UNAVAILABLE')]: true });
    expect(foreign instanceof L2UnavailableError).toBe(true);
    expect(isL2UnavailableError(new Error('x'))).toBe(false);
  });
});

describe('escapeGlob()', () => {
  it('escapes every character Redis MATCH treats specially', () => {
    expect(escapeGlob('a*b?c[d]e\\f')).toBe('a\\*b\\?c\\[d\\]e\\\\f');
    expect(escapeGlob('plain:{tag}^-')).toBe('plain:{tag}^-');
  });
});
