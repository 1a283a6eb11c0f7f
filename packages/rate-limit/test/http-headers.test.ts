import { describe, expect, it } from 'vitest';
import {
  formatRateLimit,
  formatRateLimitPolicy,
  limitedAnswer,
  rateLimitHeaders,
  retryAfterSeconds,
  unavailableAnswer,
  type RateLimitDecision,
} from '@breakwater/rate-limit';

const burst = { name: 'burst', quota: 100, windowMs: 60_000 };
const daily = { name: 'daily', quota: 1_000, windowMs: 86_400_000 };

/** A decision over `burst` and `daily`; the binding limit is the one with the least remaining. */
function decision(overrides: Partial<RateLimitDecision> & { burstLeft?: number; burstReset?: number; dailyLeft?: number; dailyReset?: number } = {}): RateLimitDecision {
  const { burstLeft = 42, burstReset = 30_000, dailyLeft = 958, dailyReset = 80_000_000, ...rest } = overrides;
  return {
    allowed: true,
    limit: 100,
    remaining: burstLeft,
    resetMs: burstReset,
    retryAfterMs: 0,
    policy: 'burst',
    limits: [
      { ...burst, remaining: burstLeft, resetMs: burstReset },
      { ...daily, remaining: dailyLeft, resetMs: dailyReset },
    ],
    source: 'store',
    ...rest,
  };
}

describe('RateLimit-Policy (draft-ietf-httpapi-ratelimit-headers-11 §3)', () => {
  it('lists every limit as an sf-string name with q (quota) and w (window in seconds)', () => {
    expect(formatRateLimitPolicy([burst, daily])).toBe('"burst";q=100;w=60, "daily";q=1000;w=86400');
  });

  it('rounds a window up to whole seconds, at least 1 (no sub-second windows in the draft)', () => {
    expect(formatRateLimitPolicy([{ name: 'a', quota: 5, windowMs: 1_500 }])).toBe('"a";q=5;w=2');
    expect(formatRateLimitPolicy([{ name: 'a', quota: 5, windowMs: 200 }])).toBe('"a";q=5;w=1');
  });

  it('escapes " and \\ in names, and refuses names that are not printable ASCII', () => {
    expect(formatRateLimitPolicy([{ name: 'a"b\\c', quota: 1, windowMs: 1_000 }])).toBe('"a\\"b\\\\c";q=1;w=1');
    expect(() => formatRateLimitPolicy([{ name: 'naïve', quota: 1, windowMs: 1_000 }])).toThrow(TypeError);
    expect(() => formatRateLimitPolicy([{ name: 'a\nb', quota: 1, windowMs: 1_000 }])).toThrow(/printable ASCII/);
  });

  it('is left out for a limiter without limits (the field must be a non-empty list)', () => {
    expect(formatRateLimitPolicy([])).toBeUndefined();
  });
});

describe('RateLimit (§4)', () => {
  it('gives every limit its remaining units (r) and the seconds until it is restored (t)', () => {
    expect(formatRateLimit(decision())).toBe('"burst";r=42;t=30, "daily";r=958;t=80000');
  });

  it('rounds r down (a bucket may hold a fraction) and t up', () => {
    expect(formatRateLimit(decision({ burstLeft: 2.7, burstReset: 29_001, dailyReset: 1 }))).toBe('"burst";r=2;t=30, "daily";r=958;t=1');
    expect(formatRateLimit(decision({ burstReset: 0 }))).toBe('"burst";r=42;t=0, "daily";r=958;t=80000');
  });

  it('on a denial, caps t of the denying limit at Retry-After (§6: Retry-After not before the window ends)', () => {
    const denied = decision({ allowed: false, burstLeft: 0, burstReset: 60_000, retryAfterMs: 600 });
    expect(formatRateLimit(denied, 1)).toBe('"burst";r=0;t=1, "daily";r=958;t=80000');
  });
});

describe('retryAfterSeconds()', () => {
  it.each([
    [1, 1],
    [999, 1],
    [1_000, 1],
    [1_001, 2],
    [59_999, 60],
    [0, 1],
  ])('%i ms → %i s (rounded up, at least 1)', (ms, seconds) => {
    expect(retryAfterSeconds(ms)).toBe(seconds);
  });

  it('caps a wait the limiter cannot bound at the longest window', () => {
    expect(retryAfterSeconds(Infinity, [burst, daily])).toBe(86_400);
    expect(retryAfterSeconds(Infinity)).toBe(1);
  });
});

describe('rateLimitHeaders()', () => {
  const policy = formatRateLimitPolicy([burst, daily]);

  it("'draft' (the default mode) sends RateLimit-Policy and RateLimit", () => {
    expect(rateLimitHeaders(decision(), 'draft', policy)).toEqual({
      'ratelimit-policy': '"burst";q=100;w=60, "daily";q=1000;w=86400',
      ratelimit: '"burst";r=42;t=30, "daily";r=958;t=80000',
    });
  });

  it("'legacy' sends X-RateLimit-Limit, -Remaining and -Reset (seconds from now) of the binding limit", () => {
    expect(rateLimitHeaders(decision({ burstReset: 29_500 }), 'legacy', undefined)).toEqual({
      'x-ratelimit-limit': '100',
      'x-ratelimit-remaining': '42',
      'x-ratelimit-reset': '30',
    });
  });

  it("'both' sends both sets, false none; a denial carries Retry-After in every mode", () => {
    const denied = decision({ allowed: false, burstLeft: 0, burstReset: 60_000, retryAfterMs: 1_200 });
    expect(rateLimitHeaders(denied, 'both', policy)).toEqual({
      'ratelimit-policy': '"burst";q=100;w=60, "daily";q=1000;w=86400',
      ratelimit: '"burst";r=0;t=2, "daily";r=958;t=80000',
      'x-ratelimit-limit': '100',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '2',
      'retry-after': '2',
    });
    expect(rateLimitHeaders(denied, false, undefined)).toEqual({ 'retry-after': '2' });
    expect(rateLimitHeaders(decision(), false, undefined)).toEqual({});
  });
});

describe('answers', () => {
  it('a denial is a 429 problem+json naming the limit, with Retry-After', () => {
    const denied = decision({ allowed: false, burstLeft: 0, burstReset: 60_000, retryAfterMs: 1_200 });
    const answer = limitedAnswer(denied, 'draft', formatRateLimitPolicy([burst, daily]));
    expect(answer.status).toBe(429);
    expect(answer.headers).toEqual({
      'ratelimit-policy': '"burst";q=100;w=60, "daily";q=1000;w=86400',
      ratelimit: '"burst";r=0;t=2, "daily";r=958;t=80000',
      'retry-after': '2',
      'content-type': 'application/problem+json',
    });
    expect(JSON.parse(answer.body)).toEqual({
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      detail: 'The rate limit "burst" is exhausted; retry after 2 seconds.',
    });
  });

  it("a fail-closed outage is a 503 problem+json with the error's retryAfterMs rounded up", () => {
    expect(unavailableAnswer({ retryAfterMs: 250 })).toEqual({
      status: 503,
      headers: { 'retry-after': '1', 'content-type': 'application/problem+json' },
      body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'The rate limit cannot be checked right now; retry after 1 second.' }),
    });
    expect(unavailableAnswer({ retryAfterMs: 4_001 }).headers['retry-after']).toBe('5');
    expect(unavailableAnswer({}).headers['retry-after']).toBe('1');
  });
});
