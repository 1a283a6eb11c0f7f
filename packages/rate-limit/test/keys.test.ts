import { describe, expect, it } from 'vitest';
import { encodeKeyPart, limitsHash, redisKey } from '@breakwater/rate-limit/redis';
import { rateLimit } from '@breakwater/rate-limit';

describe('Redis key derivation', () => {
  it('keeps plain keys readable', () => {
    expect(encodeKeyPart('203.0.113.7')).toBe('203.0.113.7');
    expect(encodeKeyPart('user:42@acme.example/api')).toBe('user:42@acme.example/api');
    const login = { name: 'login', algorithm: 'gcra', limits: [{ name: '5-per-1m', quota: 5, windowMs: 60_000 }] } as const;
    expect(redisKey('bw:rl:', login, '2001:db8::/56')).toBe('bw:rl:login:0eef4c904c09:{2001:db8::/56}');
  });

  it.each([
    ['{', '%7B'],
    ['}', '%7D'],
    ['a}{b', 'a%7D%7Bb'],
    ['*', '%2A'],
    ['\r\n', '%0D%0A'],
    [' ', '%20'],
    ['%', '%25'],
    ['#', '%23'],
    ["!'()~", '%21%27%28%29%7E'],
    ['é', '%C3%A9'],
    ['', '%'],
  ])('percent-encodes %j as %s', (key, encoded) => {
    expect(encodeKeyPart(key)).toBe(encoded);
  });

  it('hashes keys too long to encode, and lone surrogates, into distinct fixed-length parts', () => {
    const long = encodeKeyPart('x'.repeat(10_240));
    expect(long).toMatch(/^#[\w-]{43}$/);
    expect(encodeKeyPart(`${'x'.repeat(10_239)}y`)).not.toBe(long);
    expect(encodeKeyPart('{'.repeat(100))).toMatch(/^#/);
    expect(encodeKeyPart('\uD800')).toMatch(/^#/);
    expect(encodeKeyPart('\uD800')).not.toBe(encodeKeyPart('\uDC00'));
  });

  it('never lets two different keys share a Redis key', () => {
    const keys = ['a', '%61', 'a%', '%', '', '#', '%23', '{a}', '%7Ba%7D', 'x'.repeat(201), `#${'x'.repeat(43)}`];
    const encoded = new Set(keys.map(encodeKeyPart));
    expect(encoded.size).toBe(keys.length);
    for (const part of encoded) expect(part).not.toMatch(/[{}\s*]/);
  });
});

describe('the limits hash in every key', () => {
  const limits = [{ name: 'per-second', quota: 10, windowMs: 1_000 }];

  it('is stable: the same limiter finds its state in every process and every version', () => {
    // A golden value: changing the derivation would silently reset every deployed limiter.
    expect(limitsHash('gcra', [{ name: '5-per-1m', quota: 5, windowMs: 60_000 }])).toBe('0eef4c904c09');
    const limiter = rateLimit({ name: 'api', limits: { quota: 10, windowMs: 1_000, name: 'per-second' } });
    expect(redisKey('bw:rl:', limiter, 'k')).toBe(`bw:rl:api:${limitsHash('gcra', limits)}:{k}`);
    expect(redisKey('bw:rl:', limiter, 'k')).toBe(redisKey('bw:rl:', { name: 'api', algorithm: 'gcra', limits }, 'k'));
  });

  it('differs whenever the algorithm or any limit name, quota, window or their order differs', () => {
    const second = { name: 'per-hour', quota: 100, windowMs: 3_600_000 };
    const variants = [
      limitsHash('gcra', limits),
      limitsHash('token-bucket', limits),
      limitsHash('sliding-window', limits),
      limitsHash('fixed-window', limits),
      limitsHash('gcra', [{ ...limits[0]!, quota: 11 }]),
      limitsHash('gcra', [{ ...limits[0]!, windowMs: 1_001 }]),
      limitsHash('gcra', [{ ...limits[0]!, name: 'burst' }]),
      limitsHash('gcra', [limits[0]!, second]),
      limitsHash('gcra', [second, limits[0]!]),
    ];
    expect(new Set(variants).size).toBe(variants.length);
    for (const hash of variants) expect(hash).toMatch(/^[0-9a-f]{12}$/);
  });
});
