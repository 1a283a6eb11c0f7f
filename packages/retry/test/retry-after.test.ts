import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseHttpDate, parseRateLimitReset, parseRetryAfter, retry, retryAfterMsOf, type RetryEvent } from '@breakwater/retry';
import { useFakeTime } from 'breakwater-test-utils';
import { settle } from './helpers.ts';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0); // Wed, 15 Jan 2025 12:00:00 GMT

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120_000],
    ['0', 0],
    [' 7 ', 7_000],
    ['Wed, 15 Jan 2025 12:00:30 GMT', 30_000],
    ['Wednesday, 15-Jan-25 12:01:00 GMT', 60_000],
    ['Wed Jan 15 12:00:05 2025', 5_000],
    ['Sun Jan  5 12:00:00 2025', 0],
    ['Tue, 14 Jan 2025 12:00:00 GMT', 0],
  ])('reads %o as %i ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['-5', 'negative'],
    ['1.5', 'fractional seconds'],
    ['soon', 'a word'],
    ['tomorrow 5', 'what Date.parse would accept'],
    ['2025-01-15T12:00:30Z', 'ISO 8601'],
    ['Wed, 31 Feb 2025 12:00:30 GMT', 'a day that does not exist'],
    ['Wed, 15 Jan 2025 25:00:30 GMT', 'hour 25'],
    ['Wed, 15 Jan 2025 12:00:30 PST', 'a zone other than GMT'],
    ['9'.repeat(65), 'an over-long value'],
  ])('ignores %o (%s)', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it('ignores a missing header', () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });

  it('reads two-digit RFC 850 years within 50 years ahead as this century, others as the last', () => {
    expect(new Date(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW)!).toISOString()).toBe('1994-11-06T08:49:37.000Z');
    expect(new Date(parseHttpDate('Monday, 06-Nov-30 08:49:37 GMT', NOW)!).toISOString()).toBe('2030-11-06T08:49:37.000Z');
  });

  it('stays linear on hostile input', () => {
    const started = performance.now();
    for (let i = 0; i < 1_000; i++) parseRetryAfter(`Wed, ${'1'.repeat(60)}`, NOW);
    for (let i = 0; i < 1_000; i++) parseRateLimitReset(`"${'a;'.repeat(500)}`);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('parseRateLimitReset', () => {
  it.each([
    ['"default";r=0;t=30', 30_000],
    ['"burst";r=0;t=5, "day";r=0;t=3600', 3_600_000],
    ['"burst";r=3;t=5, "day";r=0;t=60', 60_000],
    ['"a;b,c";r=0;t=9', 9_000],
    ['limit=10, remaining=0, reset=12', 12_000],
  ])('reads %o as %i ms', (value, expected) => {
    expect(parseRateLimitReset(value)).toBe(expected);
  });

  it.each([['"default";r=12;t=30'], ['limit=10, remaining=4, reset=12'], ['"default";r=0;t=-3'], ['"default";r=0'], ['garbage'], [''], [null]])(
    'finds no wait in %o',
    (value) => {
      expect(parseRateLimitReset(value)).toBeUndefined();
    },
  );
});

describe('retryAfterMsOf', () => {
  it.each([
    ['an error with retryAfterMs', Object.assign(new Error('limited'), { retryAfterMs: 1_500 }), 1_500],
    ['a fetch Response', new Response(null, { status: 503, headers: { 'Retry-After': '3' } }), 3_000],
    ['a ky-style error', Object.assign(new Error('HTTP 429'), { response: new Response(null, { status: 429, headers: { 'retry-after': '2' } }) }), 2_000],
    ['a got-style error with plain headers', Object.assign(new Error('HTTP 503'), { response: { statusCode: 503, headers: { 'retry-after': ['4'] } } }), 4_000],
    ['hand-written headers', { status: 429, headers: { 'Retry-After': 'Wed, 15 Jan 2025 12:00:10 GMT' } }, 10_000],
    ['a RateLimit header', new Response(null, { status: 429, headers: { RateLimit: '"default";r=0;t=8' } }), 8_000],
    ['no hint', new Error('plain'), undefined],
    ['a negative retryAfterMs', Object.assign(new Error('x'), { retryAfterMs: -1 }), undefined],
    ['a thrown string', 'oops', undefined],
    ['an invalid Retry-After', new Response(null, { status: 503, headers: { 'Retry-After': 'later' } }), undefined],
  ])('reads %s', (_label, source, expected) => {
    expect(retryAfterMsOf(source, NOW)).toBe(expected);
  });
});

describe('retry() with server hints', () => {
  beforeEach(() => useFakeTime(NOW));
  afterEach(() => vi.useRealTimers());

  function limitedThen<T>(headers: Record<string, string>, finalValue: T, failures = 1) {
    let calls = 0;
    return vi.fn(() => (++calls <= failures ? new Response(null, { status: 429, headers }) : finalValue));
  }
  const retryOn429 = (res: unknown) => res instanceof Response && res.status === 429;

  it('waits what Retry-After says instead of the backoff', async () => {
    const fn = limitedThen({ 'Retry-After': '5' }, 'ok');
    const policy = retry({ handleResult: retryOn429 });
    const events: RetryEvent[] = [];
    policy.onRetry((event) => events.push(event));
    const running = policy.execute(fn);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(running).resolves.toBe('ok');
    expect(events).toMatchObject([{ attempt: 1, delayMs: 5_000, source: 'retry-after' }]);
  });

  it('honours an HTTP-date against the injected clock', async () => {
    const fn = limitedThen({ 'Retry-After': 'Wed, 15 Jan 2025 12:00:02 GMT' }, 'ok');
    const running = retry({ handleResult: retryOn429 }).execute(fn);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(running).resolves.toBe('ok');
  });

  it('caps a hint at maxDelay', async () => {
    const fn = limitedThen({ 'Retry-After': '3600' }, 'ok');
    const policy = retry({ handleResult: retryOn429, maxDelay: 10_000 });
    const delays: number[] = [];
    policy.onRetry(({ delayMs }) => delays.push(delayMs));
    const running = policy.execute(fn);
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(running).resolves.toBe('ok');
    expect(delays).toEqual([10_000]);
  });

  it('falls back to the backoff when the hint is invalid, and ignores hints with respectRetryAfter: false', async () => {
    for (const [options, headers] of [
      [{}, { 'Retry-After': 'whenever' }],
      [{ respectRetryAfter: false }, { 'Retry-After': '60' }],
    ] as const) {
      const policy = retry({ ...options, handleResult: retryOn429, jitter: 'none', baseDelay: 100 });
      const events: RetryEvent[] = [];
      policy.onRetry((event) => events.push(event));
      const running = policy.execute(limitedThen(headers, 'ok'));
      await vi.advanceTimersByTimeAsync(100);
      await expect(running).resolves.toBe('ok');
      expect(events).toMatchObject([{ delayMs: 100, source: 'backoff' }]);
    }
  });

  it('honours retryAfterMs on a thrown error, clamped to maxDelay', async () => {
    const policy = retry({ maxDelay: 2_000 });
    const events: RetryEvent[] = [];
    policy.onRetry((event) => events.push(event));
    let calls = 0;
    const running = settle(
      policy.execute(() => {
        if (++calls === 1) throw Object.assign(new Error('limited'), { retryAfterMs: 700 });
        if (calls === 2) throw Object.assign(new Error('limited'), { retryAfterMs: 9_000 });
        return 'ok';
      }),
    );
    await vi.advanceTimersByTimeAsync(699);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1 + 2_000);
    expect(await running).toEqual({ value: 'ok' });
    expect(events).toMatchObject([
      { attempt: 1, delayMs: 700, source: 'retry-after' },
      { attempt: 2, delayMs: 2_000, source: 'retry-after' },
    ]);
  });
});
