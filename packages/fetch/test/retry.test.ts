import { createFetch, FetchAttemptsError, isFetchAttemptsError } from '@breakwater/fetch';
import { manualClock } from 'breakwater-test-utils';
import { describe, expect, it } from 'vitest';
import { reply, serve, until } from './helpers.ts';

/** A client on a manual clock whose retry delays are stepped by the test through onRetry. */
function client(options: Parameters<typeof createFetch>[0] = {}) {
  const manual = manualClock();
  const fetch = createFetch({ clock: manual.clock, timeout: false, attemptTimeout: false, breaker: false, retry: { budget: false }, ...options });
  const delays: number[] = [];
  fetch.onRetry((event) => delays.push(event.delayMs));
  return { fetch, manual, delays };
}

describe('retry', () => {
  it('retries a 503 and returns the good response', async () => {
    const server = await serve((_req, res, n) => (n === 0 ? reply(res, 503) : reply(res, 200, {}, 'ok')));
    const { fetch, manual } = client({ retry: { budget: false, baseDelay: 100, jitter: 'none' } });
    const pending = fetch(`${server.url}/a`);
    await until(() => manual.pending === 1, 'the backoff timer');
    manual.advance(100);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    expect(server.hits).toHaveLength(2);
  });

  it('waits the 2 s a 503 asks for with Retry-After: 2, not a moment less', async () => {
    const server = await serve((_req, res, n) => (n === 0 ? reply(res, 503, { 'retry-after': '2' }) : reply(res, 200)));
    const { fetch, manual, delays } = client();
    const pending = fetch(server.url);
    await until(() => manual.pending === 1, 'the Retry-After timer');
    expect(delays).toEqual([2_000]);
    manual.advance(1_999);
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.hits).toHaveLength(1);
    manual.advance(1);
    expect((await pending).status).toBe(200);
    expect(server.hits).toHaveLength(2);
  });

  it('honours Retry-After as an HTTP date', async () => {
    const manual = manualClock();
    manual.advance(1_000_000_000); // epochNow: 1970-01-12, so the date below is 3 s ahead
    const at = new Date(manual.clock.epochNow() + 3_000).toUTCString();
    const server = await serve((_req, res, n) => (n === 0 ? reply(res, 429, { 'retry-after': at }) : reply(res, 200)));
    const fetch = createFetch({ clock: manual.clock, timeout: false, attemptTimeout: false, breaker: false, retry: { budget: false } });
    const delays: number[] = [];
    fetch.onRetry((event) => delays.push(event.delayMs));
    const pending = fetch(server.url);
    await until(() => manual.pending === 1, 'the timer');
    expect(delays).toEqual([3_000]);
    manual.advance(3_000);
    expect((await pending).status).toBe(200);
  });

  it.each(['soon', '-1', '1.5', 'Thu, 31 Feb 2030 00:00:00 GMT', ''])('ignores a junk Retry-After (%j) and backs off instead', async (junk) => {
    const server = await serve((_req, res, n) => (n === 0 ? reply(res, 503, junk === '' ? {} : { 'retry-after': junk }) : reply(res, 200)));
    const { fetch, manual, delays } = client({ retry: { budget: false, baseDelay: 300, jitter: 'none' } });
    const pending = fetch(server.url);
    await until(() => manual.pending === 1, 'the timer');
    expect(delays).toEqual([300]);
    manual.advance(300);
    expect((await pending).status).toBe(200);
  });

  it('honours the IETF RateLimit header and clamps a long hint to maxDelay', async () => {
    const server = await serve((_req, res, n) => {
      if (n === 0) reply(res, 429, { ratelimit: '"default";r=0;t=4' });
      else if (n === 1) reply(res, 503, { 'retry-after': '3600' });
      else reply(res, 200);
    });
    const { fetch, manual, delays } = client({ retry: { budget: false, maxDelay: 5_000 } });
    const pending = fetch(server.url);
    await until(() => manual.pending === 1, 'the first timer');
    manual.advance(4_000);
    await until(() => delays.length === 2 && manual.pending === 1, 'the second timer');
    manual.advance(5_000);
    expect((await pending).status).toBe(200);
    expect(delays).toEqual([4_000, 5_000]);
  });

  it('returns the last response when retries run out on a retryable status, with earlier bodies released', async () => {
    const server = await serve((_req, res, n) => reply(res, 503, {}, `attempt ${n}`));
    const { fetch, manual } = client({ retry: { budget: false, maxRetries: 2, baseDelay: 10, jitter: 'none' } });
    const giveUps: string[] = [];
    fetch.onGiveUp((event) => giveUps.push(event.reason));
    const pending = fetch(server.url);
    for (let i = 0; i < 2; i++) {
      await until(() => manual.pending === 1, `timer ${i}`);
      manual.advance(20);
    }
    const res = await pending;
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('attempt 2');
    expect(giveUps).toEqual(['exhausted']);
  });

  it('throws a FetchAttemptsError listing each attempt when asked to (throwOnRetryableStatus)', async () => {
    const server = await serve((_req, res) => reply(res, 502));
    const { fetch, manual } = client({ throwOnRetryableStatus: true, retry: { budget: false, maxRetries: 1, baseDelay: 50, jitter: 'none' } });
    const pending = fetch(`${server.url}/x?secret=1`);
    const settled = pending.catch((error: unknown) => error);
    await until(() => manual.pending === 1, 'the timer');
    manual.advance(50);
    const error = await settled;
    expect(isFetchAttemptsError(error)).toBe(true);
    expect(error).toBeInstanceOf(FetchAttemptsError);
    const attempts = (error as FetchAttemptsError).attempts;
    expect(attempts.map((a) => [a.status, a.delayMs])).toEqual([
      [502, 50],
      [502, undefined],
    ]);
    expect((error as FetchAttemptsError).reason).toBe('retryable-status');
    expect((error as FetchAttemptsError).message).toContain(`GET ${server.url}/x failed after 2 attempts`);
    expect((error as FetchAttemptsError).message).not.toContain('secret');
  });

  it('does not retry a 404 or a 501', async () => {
    const server = await serve((req, res) => reply(res, req.url === '/missing' ? 404 : 501));
    const { fetch } = client();
    expect((await fetch(`${server.url}/missing`)).status).toBe(404);
    expect((await fetch(`${server.url}/other`)).status).toBe(501);
    expect(server.hits).toHaveLength(2);
  });

  it('retries network errors (a reset connection) and gives up with each attempt and the last error as cause', async () => {
    const server = await serve((req) => req.socket.destroy());
    const { fetch, manual } = client({ retry: { budget: false, maxRetries: 2, baseDelay: 10, jitter: 'none' } });
    const settled = fetch(server.url).catch((error: unknown) => error);
    for (let i = 0; i < 2; i++) {
      await until(() => manual.pending === 1, `timer ${i}`);
      manual.advance(20);
    }
    const error = (await settled) as FetchAttemptsError;
    expect(isFetchAttemptsError(error)).toBe(true);
    expect(error.reason).toBe('exhausted');
    expect(error.attempts).toHaveLength(3);
    expect(error.attempts.every((a) => a.error instanceof TypeError)).toBe(true);
    expect(error.cause).toBe(error.attempts[2]!.error);
    expect(error.code).toBe('ERR_BREAKWATER_FETCH_ATTEMPTS');
    expect(server.hits).toHaveLength(3);
  });

  it('stops when the retry budget is spent', async () => {
    const server = await serve((_req, res) => reply(res, 503));
    const manual = manualClock();
    const fetch = createFetch({ clock: manual.clock, timeout: false, attemptTimeout: false, breaker: false, retry: { budget: { recordCall() {}, tryAcquireRetry: () => false } } });
    const res = await fetch(server.url);
    expect(res.status).toBe(503);
    expect(server.hits).toHaveLength(1);
  });

  it('counts every call in the budget, first-try successes too, and reports each success to the policy', async () => {
    const server = await serve((_req, res) => reply(res, 200));
    let calls = 0;
    const fetch = createFetch({ timeout: false, attemptTimeout: false, breaker: false, retry: { budget: { recordCall: () => void calls++, tryAcquireRetry: () => true } } });
    const successes: number[] = [];
    fetch.retry!.onSuccess(({ duration }) => successes.push(duration));
    for (let i = 0; i < 3; i++) await (await fetch(server.url)).text();
    expect(calls).toBe(3);
    expect(successes).toHaveLength(3);
    expect(successes.every((duration) => duration >= 0)).toBe(true);
  });

  it('takes per-request retry overrides, and retry: false', async () => {
    const server = await serve((_req, res) => reply(res, 503));
    const { fetch, manual } = client({ retry: { budget: false, maxRetries: 3, baseDelay: 10, jitter: 'none' } });
    expect((await fetch(server.url, { breakwater: { retry: false } })).status).toBe(503);
    expect(server.hits).toHaveLength(1);
    const pending = fetch(server.url, { breakwater: { retry: { maxRetries: 1 } } });
    await until(() => manual.pending === 1, 'the timer');
    manual.advance(10);
    expect((await pending).status).toBe(503);
    expect(server.hits).toHaveLength(3);
  });
});
