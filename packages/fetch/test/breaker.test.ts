import { circuitBreaker, consecutive, isCircuitOpenError, type CircuitBreakerPolicy } from '@breakwater/circuit-breaker';
import { createFetch, isFetchAttemptsError } from '@breakwater/fetch';
import { manualClock } from 'breakwater-test-utils';
import { describe, expect, it } from 'vitest';
import { isTimeoutError, TimeoutError } from '@breakwater/core';
import { drive, reply, serve, until } from './helpers.ts';

function client(options: Parameters<typeof createFetch>[0] = {}) {
  const manual = manualClock();
  const fetch = createFetch({
    clock: manual.clock,
    timeout: false,
    attemptTimeout: false,
    retry: false,
    breaker: { strategy: consecutive({ threshold: 3 }), breakDuration: 1_000 },
    ...options,
  });
  return { fetch, manual };
}

describe('per-origin circuit breakers', () => {
  it('opens after the configured failures, fails fast without reaching the origin, then half-opens and closes', async () => {
    let healthy = false;
    const server = await serve((_req, res) => reply(res, healthy ? 200 : 503));
    const { fetch, manual } = client();
    const created: { key: string; breaker: CircuitBreakerPolicy }[] = [];
    fetch.onBreaker((event) => created.push(event));
    for (let i = 0; i < 3; i++) expect((await fetch(server.url)).status).toBe(503);
    expect(created.map((c) => c.key)).toEqual([server.url]);
    const breaker = fetch.breakers!.get(server.url);
    expect(breaker).toBe(created[0]!.breaker);
    expect(breaker.state).toBe('open');
    expect(breaker.name).toBe(`fetch:${server.url}`);

    const rejected = await fetch(server.url).catch((error: unknown) => error);
    expect(isCircuitOpenError(rejected)).toBe(true);
    expect(server.hits).toHaveLength(3);

    healthy = true;
    manual.advance(999);
    expect(isCircuitOpenError(await fetch(server.url).catch((error: unknown) => error))).toBe(true);
    manual.advance(1);
    const probe = fetch(server.url);
    expect(breaker.state).toBe('half-open');
    // A second caller while the probe runs fails fast.
    expect(isCircuitOpenError(await fetch(server.url).catch((error: unknown) => error))).toBe(true);
    expect((await probe).status).toBe(200);
    expect(breaker.state).toBe('closed');
    expect(server.hits).toHaveLength(4);
  });

  it('counts only breaker.statuses; a breaker from breaker.create judges every response with its own handleResult', async () => {
    const server = await serve((req, res) => reply(res, req.url === '/missing' ? 404 : 503));
    const { fetch } = client({ breaker: { strategy: consecutive({ threshold: 2 }), statuses: [500] } });
    for (let i = 0; i < 3; i++) await (await fetch(server.url)).text();
    expect(fetch.breakers!.get(server.url).state).toBe('closed');

    const custom = client({
      breaker: {
        create: (key) => circuitBreaker({ name: key, strategy: consecutive({ threshold: 2 }), handleResult: (value) => (value as Response).status === 404 }),
      },
    });
    await (await custom.fetch(`${server.url}/missing`)).text();
    await (await custom.fetch(`${server.url}/missing`)).text();
    expect(custom.fetch.breakers!.get(server.url).state).toBe('open');
  });

  it('keeps origins apart: one failing origin does not trip another', async () => {
    const bad = await serve((_req, res) => reply(res, 500));
    const good = await serve((_req, res) => reply(res, 200));
    const { fetch } = client();
    for (let i = 0; i < 3; i++) await (await fetch(`${bad.url}/x`)).text();
    expect(fetch.breakers!.get(bad.url).state).toBe('open');
    expect((await fetch(`${good.url}/y`)).status).toBe(200);
    expect(fetch.breakers!.get(good.url).state).toBe('closed');
  });

  it('counts network errors but not 4xx, and stops retrying when the breaker opens', async () => {
    const server = await serve((req, res) => (req.url === '/404' ? reply(res, 404) : req.socket.destroy()));
    const manual = manualClock();
    const fetch = createFetch({
      clock: manual.clock,
      timeout: false,
      attemptTimeout: false,
      retry: { budget: false, maxRetries: 5, baseDelay: 10, jitter: 'none' },
      breaker: { strategy: consecutive({ threshold: 2 }), breakDuration: 60_000 },
    });
    for (let i = 0; i < 5; i++) await (await fetch(`${server.url}/404`)).text();
    expect(fetch.breakers!.get(server.url).state).toBe('closed');
    const error = await drive(manual, fetch(server.url)).catch((error: unknown) => error);
    expect(isFetchAttemptsError(error)).toBe(true);
    if (!isFetchAttemptsError(error)) return;
    expect(error.reason).toBe('not-retryable');
    expect(error.attempts).toHaveLength(3);
    expect(isCircuitOpenError(error.attempts[2]!.error)).toBe(true);
    expect(isCircuitOpenError(error.cause)).toBe(true);
    expect(server.hits).toHaveLength(5 + 2);
  });

  it("does not count a caller's abort against the origin, and counts an attempt timeout", async () => {
    const server = await serve(() => {}); // never answers
    const manual = manualClock();
    const fetch = createFetch({
      clock: manual.clock,
      timeout: 5_000,
      attemptTimeout: 1_000,
      retry: false,
      breaker: { strategy: consecutive({ threshold: 1 }), breakDuration: 60_000 },
    });
    // The caller's own timeout (an outer Breakwater policy) would count if it were taken for the origin's.
    const caller = new AbortController();
    const left = new TimeoutError(500, { policy: 'outer' });
    const aborted = fetch(server.url, { signal: caller.signal }).catch((error: unknown) => error);
    await until(() => server.hits.length === 1, 'the first request');
    caller.abort(left);
    expect(await aborted).toBe(left);
    expect(fetch.breakers!.get(server.url).state).toBe('closed');

    const timedOut = fetch(server.url).catch((error: unknown) => error);
    await until(() => server.hits.length === 2, 'the second request');
    manual.advance(1_000);
    expect(isTimeoutError(await timedOut)).toBe(true);
    expect(fetch.breakers!.get(server.url).state).toBe('open');
  });

  it('is skipped per request with breaker: false, and bounded by max', async () => {
    const server = await serve((_req, res) => reply(res, 503));
    const { fetch } = client({ breaker: { strategy: consecutive({ threshold: 1 }), max: 1 } });
    await (await fetch(server.url)).text();
    expect(fetch.breakers!.get(server.url).state).toBe('open');
    expect((await fetch(server.url, { breakwater: { breaker: false } })).status).toBe(503);
    fetch.breakers!.get('http://other.invalid');
    expect(fetch.breakers!.size).toBe(1);
    expect(fetch.breakers!.has(server.url)).toBe(false);
  });

  it('keys breakers by a function of the URL', async () => {
    const server = await serve((_req, res) => reply(res, 200));
    const { fetch } = client({ breaker: { key: (url) => url.pathname.split('/')[1] ?? '' } });
    await (await fetch(`${server.url}/users/1`)).text();
    await (await fetch(`${server.url}/orders/2`)).text();
    expect([...fetch.breakers!.entries()].map(([key]) => key).sort()).toEqual(['orders', 'users']);
  });
});

describe('breaker keys', () => {
  it('are exactly URL.origin, however the URL is written and whatever URL came before', async () => {
    const urls = [
      'http://example.com/a',
      // Each right after a URL of http://example.com, whose origin is remembered:
      'http://example.com/b',
      'http://example.com.evil.test/',
      'http://example.com/c',
      'http://example.com@evil.test/',
      'http://example.com/d',
      'http://example.com:80@evil.test/',
      'http://example.com/e',
      'http://example.com\\evil.test/',
      'http://example.com',
      'http://example.com0/',
      'http://EXAMPLE.com/a',
      'http://example.com:80/x',
      'https://example.com:443',
      'https://example.com:8443/p?q=1',
      'http://127.0.0.1:8080/p',
      'http://0x7f.1/',
      'http://2130706433/',
      'http://010.0.0.1/',
      'http://user:pw@host.test/',
      'http://[::1]:3000/',
      'http://example.com./',
      'http://example.com:08080/',
      'http://example.com?q',
      'http://example.com#h',
      'https://bücher.de/',
      'http://a-b.c-d.test:1/',
      'http://1.2.3.4:99/',
      'http://1.2.3.256/',
      'http://1.2.3/',
      'http://host.09/',
      'http://0.0.0.0/',
      'http://api.v2.example.com:65535/',
    ];
    const fetch = createFetch({ fetch: async () => new Response('ok'), timeout: false, attemptTimeout: false, retry: false });
    for (const url of urls) await fetch(url);
    const keys = [...fetch.breakers!.entries()].map(([key]) => key).sort();
    // URLs that do not parse (1.2.3.256, a numeric last label) go to the wrapped fetch untouched: no breaker.
    const parseable = urls.filter((url) => URL.canParse(url));
    expect(parseable.length).toBeLessThan(urls.length);
    expect(keys).toEqual([...new Set(parseable.map((url) => new URL(url).origin))].sort());
  });
});
