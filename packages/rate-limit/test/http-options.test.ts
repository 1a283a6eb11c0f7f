import { describe, expect, it } from 'vitest';
import { INVALID_OPTION } from '@breakwater/core';
import {
  decideHttpRateLimit,
  HTTP_RATE_LIMIT_OPTIONS,
  rateLimit,
  RateLimitUnavailableError,
  resolveHttpRateLimit,
  type RateLimitDecision,
  type RateLimiterLike,
} from '@breakwater/rate-limit';

const limits = [{ name: 'per-minute', quota: 3, windowMs: 60_000 }];
const fake = (check: RateLimiterLike['check'], over: Partial<RateLimiterLike> = {}): RateLimiterLike => ({ name: 'fake', limits, check, ...over });
const allowed: RateLimitDecision = {
  allowed: true,
  limit: 3,
  remaining: 2,
  resetMs: 20_000,
  retryAfterMs: 0,
  policy: 'per-minute',
  limits: [{ ...limits[0]!, remaining: 2, resetMs: 20_000 }],
  source: 'store',
};

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('resolveHttpRateLimit()', () => {
  it('fills in the defaults and builds RateLimit-Policy once', () => {
    const limiter = fake(async () => allowed);
    const resolved = resolveHttpRateLimit('test()', { limiter });
    expect(resolved).toMatchObject({ limiter, cost: 1, headers: 'draft', ipv6Prefix: 56, key: undefined, skip: undefined, onLimited: undefined, policyHeader: '"per-minute";q=3;w=60' });
    expect(resolveHttpRateLimit('test()', { limiter, headers: 'legacy' }).policyHeader).toBeUndefined();
    expect(resolveHttpRateLimit('test()', { limiter, headers: undefined, ipv6Prefix: undefined }).headers).toBe('draft');
  });

  it.each([
    [{ check: () => undefined, limits: 'x' }, 'Expected `limiter.limits` to be an array of { name, quota, windowMs }, got `"x"` (string)'],
    [{ check: () => undefined, limits: [{ name: '', quota: 1, windowMs: 1 }] }, 'Expected `limiter.limits[0].name` to be a non-empty string of printable ASCII (it is sent in RateLimit headers), got `""` (string)'],
    [{ check: () => undefined, limits: [{ name: 'a', quota: 1.5, windowMs: 1 }] }, 'Expected `limiter.limits[0].quota` to be an integer from 0 and up, got `1.5` (number)'],
    [{ check: () => undefined, limits: [{ name: 'a', quota: 1, windowMs: 0 }] }, 'Expected `limiter.limits[0].windowMs` to be a number above 0, got `0` (number)'],
    [{ check: () => undefined, limits: [null] }, 'Expected `limiter.limits[0].name` to be a non-empty string of printable ASCII (it is sent in RateLimit headers), got `undefined` (undefined)'],
  ])('rejects a limiter whose limits cannot be advertised: %o', (limiter, message) => {
    expect(thrown(() => resolveHttpRateLimit('test()', { limiter: limiter as never }))).toMatchObject({ code: INVALID_OPTION, message });
  });

  it('rejects non-object options and lets an adapter accept options of its own', () => {
    expect(thrown(() => resolveHttpRateLimit('test()', 5 as never))).toMatchObject({ code: INVALID_OPTION, message: 'Expected the options of test() to be an object, got `5` (number)' });
    const limiter = fake(async () => allowed);
    expect(thrown(() => resolveHttpRateLimit('test()', { limiter, global: true } as never))).toMatchObject({ message: expect.stringContaining('Unknown option `global` for test()') });
    expect(resolveHttpRateLimit('test()', { limiter, global: true } as never, [...HTTP_RATE_LIMIT_OPTIONS, 'global'])).toMatchObject({ limiter });
  });
});

describe('decideHttpRateLimit()', () => {
  const signal = new AbortController().signal;
  const address = () => '::ffff:203.0.113.7';

  it('keys by the normalised client address by default, and hands the limiter the cost and the signal', async () => {
    const calls: unknown[][] = [];
    const config = resolveHttpRateLimit('test()', { limiter: fake(async (...args) => (calls.push(args), allowed)), cost: 2 });
    const outcome = await decideHttpRateLimit(config, {}, address, signal);
    expect(calls).toEqual([['203.0.113.7', 2, signal]]);
    expect(outcome).toEqual({ action: 'allow', decision: allowed, headers: { 'ratelimit-policy': '"per-minute";q=3;w=60', ratelimit: '"per-minute";r=2;t=20' } });
  });

  it('skips without asking the limiter, and uses the key and cost functions otherwise', async () => {
    const calls: unknown[][] = [];
    const config = resolveHttpRateLimit<{ user: string; skip: boolean }>('test()', {
      limiter: fake(async (...args) => (calls.push(args), allowed)),
      skip: async (req) => req.skip,
      key: (req) => `user:${req.user}`,
      cost: async () => 0,
    });
    expect(await decideHttpRateLimit(config, { user: 'a', skip: true }, address, signal)).toEqual({ action: 'skip' });
    expect((await decideHttpRateLimit(config, { user: 'a', skip: false }, address, signal)).action).toBe('allow');
    expect(calls).toEqual([['user:a', 0, signal]]);
  });

  it('turns the fail-closed outage into a 503 answer, by brand or by code, and rethrows anything else', async () => {
    const outage = new RateLimitUnavailableError('api', 2_500, new Error('down'));
    const branded = resolveHttpRateLimit('test()', { limiter: fake(() => Promise.reject(outage)) });
    expect(await decideHttpRateLimit(branded, {}, address, signal)).toMatchObject({ action: 'unavailable', error: outage, answer: { status: 503, headers: { 'retry-after': '3' } } });
    const coded = resolveHttpRateLimit('test()', { limiter: fake(() => Promise.reject(Object.assign(new Error('x'), { code: 'ERR_BREAKWATER_RATE_LIMIT_UNAVAILABLE' }))) });
    expect(await decideHttpRateLimit(coded, {}, address, signal)).toMatchObject({ action: 'unavailable', answer: { status: 503, headers: { 'retry-after': '1' } } });
    const bug = new Error('bug');
    const failing = resolveHttpRateLimit('test()', { limiter: fake(() => Promise.reject(bug)) });
    await expect(decideHttpRateLimit(failing, {}, address, signal)).rejects.toBe(bug);
  });

  it('rejects a key that is not a non-empty string, a bad cost, and an unknown client address', async () => {
    const limiter = fake(async () => allowed);
    await expect(decideHttpRateLimit(resolveHttpRateLimit('t', { limiter, key: () => 42 as never }), {}, address, signal)).rejects.toThrow('must return a non-empty string, got number');
    await expect(decideHttpRateLimit(resolveHttpRateLimit('t', { limiter, cost: () => -1 }), {}, address, signal)).rejects.toMatchObject({ code: INVALID_OPTION });
    await expect(decideHttpRateLimit(resolveHttpRateLimit('t', { limiter }), {}, () => undefined, signal)).rejects.toThrow('client address is unknown');
  });

  it('denies with the real limiter: a 429 answer with the decision', async () => {
    const limiter = rateLimit({ limits: { quota: 1, windowMs: 60_000, name: 'per-minute' } });
    const config = resolveHttpRateLimit('test()', { limiter });
    expect((await decideHttpRateLimit(config, {}, address, signal)).action).toBe('allow');
    const denied = await decideHttpRateLimit(config, {}, address, signal);
    expect(denied).toMatchObject({ action: 'deny', decision: { allowed: false, policy: 'per-minute' }, answer: { status: 429, headers: { 'retry-after': '60' } } });
  });
});
