import { isTimeoutError } from '@breakwater/core';
import { createFetch, isFetchAttemptsError } from '@breakwater/fetch';
import { abortListenerCount, manualClock, pendingTimers } from 'breakwater-test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { drive, reply, serve, until } from './helpers.ts';

/**
 * useFakeTime() from test-utils, minus setImmediate: real sockets need the event loop's check
 * phase to keep turning (undici and the helpers' polling use it); every timer Breakwater sets is
 * a setTimeout, which stays fake.
 */
function useFakeTime(): void {
  vi.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('abort and deadlines', () => {
  it('cancels at once when the caller aborts mid-backoff, leaving no timer and no listener', async () => {
    const server = await serve((_req, res) => reply(res, 503, { 'retry-after': '10' }));
    useFakeTime();
    const fetch = createFetch({ timeout: false, attemptTimeout: false, retry: { budget: false } });
    const retries: number[] = [];
    fetch.onRetry((event) => retries.push(event.delayMs));
    const controller = new AbortController();
    const settled = fetch(server.url, { signal: controller.signal }).catch((error: unknown) => error);
    await until(() => retries.length === 1, 'the retry');
    // undici keeps fake timers of its own (its coarse clock, keep-alive): count relative to now.
    const during = pendingTimers();
    const reason = new Error('user left');
    controller.abort(reason);
    expect(pendingTimers()).toBe(during - 1);
    expect(await settled).toBe(reason);
    // Had the backoff timer survived, time passing would send the retry.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(pendingTimers()).toBe(0);
    expect(abortListenerCount(controller.signal)).toBe(0);
    expect(server.hits).toHaveLength(1);
  });

  it('with the default deadlines too: their shared timers end by themselves within the timeout', async () => {
    const server = await serve((_req, res) => reply(res, 503, { 'retry-after': '1' }));
    useFakeTime();
    const fetch = createFetch({ retry: { budget: false } });
    const retries: number[] = [];
    fetch.onRetry((event) => retries.push(event.delayMs));
    const controller = new AbortController();
    const settled = fetch(server.url, { signal: controller.signal }).catch((error: unknown) => error);
    await until(() => retries.length === 1, 'the retry');
    controller.abort();
    expect((await settled) as Error).toBe(controller.signal.reason);
    expect(abortListenerCount(controller.signal)).toBe(0);
    // core's timeout() keeps one unref'd timer per policy after the queue empties; it finds
    // nothing to expire and is gone once the longest duration has passed.
    await vi.advanceTimersByTimeAsync(30_000);
    expect(pendingTimers()).toBe(0);
  });

  it('leaves no abort listener on the caller signal after a successful call', async () => {
    const server = await serve((_req, res) => reply(res, 200, {}, 'body'));
    const fetch = createFetch();
    const controller = new AbortController();
    const res = await fetch(server.url, { signal: controller.signal });
    expect(await res.text()).toBe('body');
    expect(abortListenerCount(controller.signal)).toBe(0);
  });

  it('aborts the request in flight when the caller aborts; the server sees the close', async () => {
    let closed = 0;
    const server = await serve((req) => req.on('close', () => closed++));
    const fetch = createFetch({ timeout: false, attemptTimeout: false });
    const controller = new AbortController();
    const settled = fetch(server.url, { signal: controller.signal }).catch((error: unknown) => error);
    await until(() => server.hits.length === 1, 'the request');
    controller.abort();
    const error = (await settled) as Error;
    expect(error.name).toBe('AbortError');
    await until(() => closed === 1, "the server's close");
  });

  it("the caller's signal still aborts the body after the headers are in, as with fetch", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200);
      res.write('part');
    });
    const fetch = createFetch();
    const controller = new AbortController();
    const res = await fetch(server.url, { signal: controller.signal });
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('part');
    const next = reader.read().catch((error: unknown) => error);
    controller.abort();
    expect(((await next) as Error).name).toBe('AbortError');
  });

  it('gives up with reason deadline when the total timeout passes', async () => {
    const server = await serve(() => {});
    const manual = manualClock();
    const fetch = createFetch({ clock: manual.clock, timeout: 1_000, attemptTimeout: 1_000 });
    const settled = fetch(server.url).catch((error: unknown) => error);
    await until(() => server.hits.length === 1, 'the request');
    manual.advance(1_000);
    const error = await settled;
    expect(isFetchAttemptsError(error)).toBe(true);
    if (!isFetchAttemptsError(error)) return;
    expect(error.reason).toBe('deadline');
    expect(isTimeoutError(error.cause)).toBe(true);
  });

  it('the deadline aborts the retry in flight, inside its own attempt timeout; the server sees it closed', async () => {
    const closed: number[] = [];
    const server = await serve((req, _res, n) => req.on('close', () => closed.push(n)));
    const manual = manualClock();
    const fetch = createFetch({ clock: manual.clock, timeout: 1_000, attemptTimeout: 800, retry: { budget: false, baseDelay: 10, jitter: 'none' } });
    const settled = fetch(server.url).catch((error: unknown) => error);
    await until(() => server.hits.length === 1, 'the first request');
    manual.advance(800);
    await until(() => manual.pending > 0 && closed.length === 1, 'the backoff');
    manual.advance(10);
    await until(() => server.hits.length === 2, 'the retry');
    manual.advance(190);
    const error = await settled;
    expect(isFetchAttemptsError(error) && error.reason).toBe('deadline');
    if (!isFetchAttemptsError(error)) return;
    expect(isTimeoutError(error.cause) && error.cause.timeoutMs).toBe(1_000);
    expect(error.attempts.map((attempt) => isTimeoutError(attempt.error) && attempt.error.timeoutMs)).toEqual([800, 1_000]);
    await until(() => closed.length === 2, "the server's close of the retry");
    // The attempt timeout's shared timer is unref'd, not cleared; it ends by itself.
    manual.advance(800);
    expect(manual.pending).toBe(0);
  });

  it('with a deadline, the caller aborting aborts the attempt in flight and leaves no listener', async () => {
    let closed = 0;
    const server = await serve((req) => req.on('close', () => closed++));
    const fetch = createFetch();
    const controller = new AbortController();
    const settled = fetch(server.url, { signal: controller.signal }).catch((error: unknown) => error);
    await until(() => server.hits.length === 1, 'the request');
    const reason = new Error('user left');
    controller.abort(reason);
    expect(await settled).toBe(reason);
    expect(abortListenerCount(controller.signal)).toBe(0);
    await until(() => closed === 1, "the server's close");
  });

  it('retries an attempt that timed out; the server sees the first request closed', async () => {
    let closed = 0;
    const server = await serve((req, res, n) => {
      if (n === 0) req.on('close', () => closed++);
      else reply(res, 200);
    });
    const manual = manualClock();
    const fetch = createFetch({ clock: manual.clock, timeout: 10_000, attemptTimeout: 500, retry: { budget: false, baseDelay: 10, jitter: 'none' } });
    const attempts: unknown[] = [];
    fetch.onAttempt((event) => attempts.push(event.attempt.status ?? event.attempt.error));
    const pending = fetch(server.url);
    await until(() => server.hits.length === 1, 'the first request');
    manual.advance(500);
    await until(() => manual.pending > 0 && attempts.length === 1, 'the backoff');
    manual.advance(10);
    expect((await pending).status).toBe(200);
    expect(isTimeoutError(attempts[0])).toBe(true);
    expect(attempts[1]).toBe(200);
    await until(() => closed === 1, "the server's close");
    // The deadline, armed when the first attempt failed, left with the call: once the attempt
    // timeout's shared timer has run out, no timer is left.
    manual.advance(500);
    expect(manual.pending).toBe(0);
  });

  it('the deadline, armed after a failed first attempt with the time left, passes during the backoff: no retry is sent', async () => {
    const server = await serve((_req, res, n) => {
      if (n === 0) reply(res, 503, { 'retry-after': '2' });
      else reply(res, 200);
    });
    const manual = manualClock();
    const fetch = createFetch({ clock: manual.clock, timeout: 1_000, attemptTimeout: 800, retry: { budget: false } });
    const retries: number[] = [];
    fetch.onRetry((event) => retries.push(event.delayMs));
    const settled = fetch(server.url).catch((error: unknown) => error);
    await until(() => retries.length === 1, 'the backoff');
    expect(retries).toEqual([2_000]);
    manual.advance(999);
    expect(server.hits).toHaveLength(1);
    manual.advance(1);
    const error = await settled;
    expect(isFetchAttemptsError(error) && error.reason).toBe('deadline');
    if (!isFetchAttemptsError(error)) return;
    expect(isTimeoutError(error.cause) && error.cause.timeoutMs).toBe(1_000);
    expect(server.hits).toHaveLength(1);
    manual.advance(1_000);
    expect(manual.pending).toBe(0);
  });

  it('takes a per-request deadline', async () => {
    const server = await serve(() => {});
    const manual = manualClock();
    const fetch = createFetch({ clock: manual.clock, timeout: 60_000, attemptTimeout: 10_000 });
    const settled = drive(manual, fetch(server.url, { breakwater: { timeout: 200, attemptTimeout: false } }), 1, 200).catch((error: unknown) => error);
    const error = await settled;
    expect(isFetchAttemptsError(error) && error.reason).toBe('deadline');
  });

  it('rejects with an already-aborted signal without sending', async () => {
    const server = await serve((_req, res) => reply(res, 200));
    const fetch = createFetch();
    const reason = new Error('already');
    await expect(fetch(server.url, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(server.hits).toHaveLength(0);
  });
});
