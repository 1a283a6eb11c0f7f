import { bulkhead, isBulkheadFullError } from '@breakwater/bulkhead';
import { createFetch, type FetchAttemptEvent, type FetchLike, type ResilientFetch } from '@breakwater/fetch';
import { RetryPolicy } from '@breakwater/retry';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { reply, serve, until } from './helpers.ts';

describe('createFetch: a drop-in fetch', () => {
  it('answers like fetch for strings, URLs and Requests, headers and bodies included', async () => {
    const server = await serve((req, res) => reply(res, 200, { 'x-method': req.method!, 'x-auth': String(req.headers.authorization) }, `path ${req.url}`));
    const fetch = createFetch();
    const fromString = await fetch(`${server.url}/a?b=1`, { headers: { authorization: 'Bearer t' } });
    expect(await fromString.text()).toBe('path /a?b=1');
    expect(fromString.headers.get('x-auth')).toBe('Bearer t');
    expect(await (await fetch(new URL('/u', server.url))).text()).toBe('path /u');
    const fromRequest = await fetch(new Request(`${server.url}/r`, { method: 'DELETE', headers: { authorization: 'Basic x' } }));
    expect(fromRequest.headers.get('x-method')).toBe('DELETE');
    expect(fromRequest.headers.get('x-auth')).toBe('Basic x');
    expect(fromRequest).toBeInstanceOf(Response);
  });

  it('is assignable where a fetch is expected, and takes a plain RequestInit', () => {
    expectTypeOf(createFetch()).toExtend<typeof globalThis.fetch>();
    expectTypeOf(createFetch()).toExtend<FetchLike>();
    const init: RequestInit = { method: 'GET' };
    expectTypeOf(createFetch()).toBeCallableWith('http://x', init);
  });

  it('wraps any fetch implementation given as `fetch`, and never sends `breakwater` to it', async () => {
    const seen: (RequestInit | undefined)[] = [];
    const fake: FetchLike = async (_input, init) => {
      seen.push(init);
      return new Response('fake', { status: 200 });
    };
    const fetch = createFetch({ fetch: fake });
    const res = await fetch('http://127.0.0.1:1/x', { method: 'GET', breakwater: { retry: false } });
    expect(await res.text()).toBe('fake');
    expect(seen).toHaveLength(1);
    expect(seen[0]).not.toHaveProperty('breakwater');
    expect(seen[0]!.signal).toBeInstanceOf(AbortSignal);
  });

  it('hands a URL that does not parse to the wrapped fetch, to fail as fetch fails', async () => {
    const fetch = createFetch();
    const error = await fetch('/relative').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
  });

  it('rethrows a lone error that no retry could fix unchanged (a refused connection with retries off)', async () => {
    const server = await serve(() => {});
    const url = server.url;
    await server.close();
    const fetch = createFetch({ retry: false });
    const error = (await fetch(url).catch((e: unknown) => e)) as TypeError;
    expect(error).toBeInstanceOf(TypeError);
    expect((error.cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('reports each attempt on onAttempt and exposes its policies for metrics and health', async () => {
    const server = await serve((_req, res) => reply(res, 200));
    const fetch: ResilientFetch = createFetch({ name: 'billing' });
    const events: FetchAttemptEvent[] = [];
    fetch.onAttempt((event) => events.push(event));
    await (await fetch(server.url)).text();
    expect(events).toMatchObject([{ client: 'billing', method: 'GET', attempt: { index: 0, retry: 0, hedge: 0, origin: server.url, status: 200 } }]);
    expect(fetch.clientName).toBe('billing');
    expect(fetch.retry).toBeInstanceOf(RetryPolicy);
    expect(fetch.retry!.name).toBe('billing');
    expect(fetch.budget).toBeDefined();
    // What a health breakerCheck reads: a string state per breaker.
    expect([...fetch.breakers!.entries()].map(([key, breaker]) => [key, breaker.state])).toEqual([[server.url, 'closed']]);
  });

  it('limits attempts in flight with a bulkhead, and a full bulkhead is not retried', async () => {
    const held: (() => void)[] = [];
    const server = await serve((_req, res) => held.push(() => reply(res, 200)));
    const fetch = createFetch({ bulkhead: bulkhead({ capacity: 1, queue: 0 }), timeout: false, attemptTimeout: false });
    const first = fetch(server.url);
    await until(() => held.length === 1, 'the first request');
    const second = await fetch(server.url).catch((e: unknown) => e);
    expect(isBulkheadFullError(second)).toBe(true);
    held[0]!();
    expect((await first).status).toBe(200);
    expect(server.hits).toHaveLength(1);
  });
});

describe('option checks', () => {
  it.each([
    [{ retri: 1 }, /Unknown option `retri` for createFetch\(\)/],
    [{ timeout: -1 }, /Expected `timeout` to be a number from 0 to 2147483647, got `-1`|Expected `timeout` to be a number from 1/],
    [{ timeout: 1_000, attemptTimeout: 5_000 }, /Expected `attemptTimeout` to be at most `timeout` \(1000\), got `5000`/],
    [{ retry: { maxRetries: 101 } }, /Expected `maxRetries` to be an integer from 0 to 100, got `101`/],
    [{ retry: { statuses: [42] } }, /Expected `retry.statuses\[\]` to be an integer from 100 to 599, got `42`/],
    [{ retry: { methods: 'GET' } }, /Expected `retry.methods` to be an array/],
    [{ retry: 'yes' }, /Expected `retry` to be retry options, a number of retries or false, got `"yes"`/],
    [{ breaker: { max: 0 } }, /Expected `max` to be an integer from 1 to 100000, got `0`/],
    [{ breaker: { breakDuration: 0 } }, /Expected `breakDuration` to be a number from 1/],
    [{ bulkhead: 'many' }, /Expected `bulkhead` to be a bulkhead policy/],
    [{ hedging: { maxHedgedAttempts: 0 } }, /Expected `hedging.maxHedgedAttempts` to be an integer from 1 to 10, got `0`/],
    [{ hedging: { delay: { percentile: 100 } } }, /Expected `hedging.delay.percentile` to be a number from above 0 to below 100, got `100`/],
    [{ hedging: { origins: ['not a url'] } }, /Expected `hedging.origins\[0\]` to be an absolute URL, got `"not a url"`/],
    [{ hedging: { origins: ['http://a'], rewrite: (u: URL) => u } }, /only one of `hedging.origins` and `hedging.rewrite`/],
    [{ idempotencyKey: 'on' }, /Expected `idempotencyKey` to be a boolean or \{ header, generate \}, got `"on"`/],
    [{ fetch: 'undici' }, /Expected `fetch` to be a function, got `"undici"`/],
    [{ name: '' }, /Expected `name` to be a string of length from 1/],
  ])('rejects %j at construction', (options, message) => {
    expect(() => createFetch(options as never)).toThrow(message);
  });

  it('rejects bad per-request overrides with a rejected promise, not a throw', async () => {
    const fetch = createFetch();
    const pending = fetch('http://127.0.0.1:1/', { breakwater: { timeout: 0 } });
    await expect(pending).rejects.toThrow(/Expected `timeout` to be a number from 1/);
    await expect(fetch('http://127.0.0.1:1/', { breakwater: { breaker: true } as never })).rejects.toThrow(/`init.breakwater.breaker` to be false/);
    await expect(fetch('http://127.0.0.1:1/', { breakwater: { retires: 1 } as never })).rejects.toThrow(/Unknown option `retires` for init.breakwater/);
  });
});

describe('signals handed to the wrapped fetch', () => {
  it('passes no signal when nothing can abort the call (no caller signal, no timeouts)', async () => {
    const seen: (AbortSignal | null | undefined)[] = [];
    const fake: FetchLike = async (_input, init) => {
      seen.push(init?.signal);
      return new Response('ok');
    };
    const fetch = createFetch({ fetch: fake, timeout: false, attemptTimeout: false, breaker: false });
    await fetch('http://127.0.0.1:1/');
    expect(seen).toEqual([undefined]);
    const controller = new AbortController();
    await fetch('http://127.0.0.1:1/', { signal: controller.signal });
    expect(seen[1]).toBe(controller.signal);
  });
});

describe('the global fetch', () => {
  it('is taken when the client is created, so the client can replace it without calling itself', async () => {
    const server = await serve((_req, res) => reply(res, 200, {}, 'global'));
    const original = globalThis.fetch;
    try {
      const client = createFetch();
      globalThis.fetch = client;
      expect(await (await globalThis.fetch(server.url)).text()).toBe('global');
    } finally {
      globalThis.fetch = original;
    }
  });
});

describe('policies exposed for metrics', () => {
  it('client.retry emits the retry events a metrics binding counts, for requests without overrides', async () => {
    const server = await serve((_req, res, n) => reply(res, n === 0 ? 503 : 200));
    const fetch = createFetch({ retry: { baseDelay: 0, budget: false }, breaker: false });
    const seen: string[] = [];
    fetch.retry!.onRetry((event) => seen.push(`retry ${event.attempt}`));
    fetch.retry!.onSuccess(() => seen.push('success'));
    await (await fetch(server.url)).text();
    expect(seen).toEqual(['retry 1', 'success']);
  });
});
