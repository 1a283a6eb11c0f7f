import { afterEach, describe, expect, it } from 'vitest';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { INVALID_OPTION } from '@breakwater/core';
import { rateLimit, type RateLimitStore } from '@breakwater/rate-limit';
import { rateLimiting, type RateLimitDecision, type RateLimiterLike } from '@breakwater/express';
import { deferred, Inbox, listen, manualClock, read, responseTracker, type Running } from './helpers.ts';

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

// The same literals are asserted by the Fastify adapter's tests: both frameworks answer alike.
const PER_MINUTE_POLICY = '"per-minute";q=3;w=60';
const limitedBody = { type: 'about:blank', title: 'Too Many Requests', status: 429, detail: 'The rate limit "per-minute" is exhausted; retry after 20 seconds.' };
const unavailableBody = { type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'The rate limit cannot be checked right now; retry after 2 seconds.' };

/** 3 requests per minute (GCRA: one more every 20 s) on a clock that moves only when told. */
function perMinute(quota = 3, name = 'per-minute') {
  const time = manualClock();
  time.advance(1_000_000);
  const limiter = rateLimit({ limits: { quota, windowMs: 60_000, name }, clock: time.clock });
  return { limiter, time };
}

/** An app: `mount` adds the middleware and routes; `/` answers `{ ok: true }`; errors are reported as 500 `{ error }`. */
async function start(mount: (app: Express, handled: Inbox<Request>) => void, configure: (app: Express) => void = () => {}) {
  const app = express();
  const handled = new Inbox<Request>();
  const errors: unknown[] = [];
  const tracker = responseTracker();
  configure(app);
  app.use(tracker.middleware);
  mount(app, handled);
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    errors.push(error);
    res.status(500).json({ error: error.message });
  });
  running = await listen(app);
  return { url: running.url, handled, errors, tracker };
}

function okRoute(handled: Inbox<Request>) {
  return (req: Request, res: Response): void => {
    handled.push(req);
    res.json({ ok: true });
  };
}

/** The rate-limit headers of a response, lower-cased, without the ones it lacks. */
function limitHeaders(res: globalThis.Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['ratelimit-policy', 'ratelimit', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) {
    const value = res.headers.get(name);
    if (value !== null) out[name] = value;
  }
  return out;
}

async function call(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { ...(await read(res)), headers: limitHeaders(res) };
}

describe('rateLimiting() with the memory limiter', () => {
  it('admits exactly the quota with exact RateLimit headers, then answers 429 problem+json with Retry-After; the handler never runs for it', async () => {
    const { limiter, time } = perMinute();
    const { url, handled } = await start((app, handled) => {
      app.use(rateLimiting({ limiter }));
      app.get('/', okRoute(handled));
    });

    expect(await call(url)).toEqual({ status: 200, type: 'application/json; charset=utf-8', retryAfter: null, body: { ok: true }, headers: { 'ratelimit-policy': PER_MINUTE_POLICY, ratelimit: '"per-minute";r=2;t=20' } });
    expect((await call(url)).headers).toEqual({ 'ratelimit-policy': PER_MINUTE_POLICY, ratelimit: '"per-minute";r=1;t=40' });
    expect((await call(url)).headers).toEqual({ 'ratelimit-policy': PER_MINUTE_POLICY, ratelimit: '"per-minute";r=0;t=60' });
    expect(await call(url)).toEqual({
      status: 429,
      type: 'application/problem+json',
      retryAfter: '20',
      body: limitedBody,
      headers: { 'ratelimit-policy': PER_MINUTE_POLICY, ratelimit: '"per-minute";r=0;t=20', 'retry-after': '20' },
    });
    expect(handled.count).toBe(3);

    // One unit comes back every 20 s: exactly one more request is admitted.
    time.advance(20_000);
    expect((await call(url)).status).toBe(200);
    expect((await call(url)).status).toBe(429);
    expect(handled.count).toBe(4);
  });

  it('sends the same content-length and bytes as it announces (problem body as written)', async () => {
    const { limiter } = perMinute(1);
    const { url } = await start((app, handled) => {
      app.use(rateLimiting({ limiter }));
      app.get('/', okRoute(handled));
    });
    await fetch(url).then((r) => r.arrayBuffer());
    const res = await fetch(url);
    const text = await res.text();
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(text).toBe(JSON.stringify({ ...limitedBody, detail: 'The rate limit "per-minute" is exhausted; retry after 60 seconds.' }));
  });

  it('with several limits, lists each in RateLimit-Policy and RateLimit, and names the denying one', async () => {
    const time = manualClock();
    const limiter = rateLimit({ limits: [{ quota: 2, windowMs: 1_000, name: 'per-second' }, { quota: 3, windowMs: 3_600_000, name: 'per-hour' }], clock: time.clock });
    const { url } = await start((app, handled) => {
      app.use(rateLimiting({ limiter }));
      app.get('/', okRoute(handled));
    });
    const policy = '"per-second";q=2;w=1, "per-hour";q=3;w=3600';
    expect((await call(url)).headers).toEqual({ 'ratelimit-policy': policy, ratelimit: '"per-second";r=1;t=1, "per-hour";r=2;t=1200' });
    expect((await call(url)).headers).toEqual({ 'ratelimit-policy': policy, ratelimit: '"per-second";r=0;t=1, "per-hour";r=1;t=2400' });
    time.advance(1_000);
    expect((await call(url)).headers).toEqual({ 'ratelimit-policy': policy, ratelimit: '"per-second";r=1;t=1, "per-hour";r=0;t=3599' });
    time.advance(1_000);
    const denied = await call(url);
    expect(denied.status).toBe(429);
    expect(denied.headers).toEqual({ 'ratelimit-policy': policy, ratelimit: '"per-second";r=2;t=0, "per-hour";r=0;t=1198', 'retry-after': '1198' });
    expect(denied.body).toMatchObject({ detail: 'The rate limit "per-hour" is exhausted; retry after 1198 seconds.' });
  });

  it("sends legacy X-RateLimit-* headers with headers: 'legacy', both sets with 'both', none with false", async () => {
    const { limiter } = perMinute();
    const { url } = await start((app, handled) => {
      app.get('/legacy', rateLimiting({ limiter, headers: 'legacy' }), okRoute(handled));
      app.get('/both', rateLimiting({ limiter, headers: 'both' }), okRoute(handled));
      app.get('/none', rateLimiting({ limiter, headers: false }), okRoute(handled));
    });
    expect((await call(`${url}/legacy`)).headers).toEqual({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '2', 'x-ratelimit-reset': '20' });
    expect((await call(`${url}/both`)).headers).toEqual({
      'ratelimit-policy': PER_MINUTE_POLICY,
      ratelimit: '"per-minute";r=1;t=40',
      'x-ratelimit-limit': '3',
      'x-ratelimit-remaining': '1',
      'x-ratelimit-reset': '40',
    });
    expect((await call(`${url}/none`)).headers).toEqual({});
    // Retry-After is sent on a 429 whatever the mode.
    expect(await call(`${url}/none`)).toMatchObject({ status: 429, headers: { 'retry-after': '20' }, body: limitedBody });
  });
});

describe('rateLimiting() keys', () => {
  it('ignores a spoofed X-Forwarded-For without trust proxy: a new address per request does not reset the count', async () => {
    const { limiter } = perMinute();
    const { url, handled } = await start((app, handled) => {
      app.use(rateLimiting({ limiter }));
      app.get('/', okRoute(handled));
    });
    const statuses = [];
    for (let i = 1; i <= 6; i++) statuses.push((await call(url, { 'x-forwarded-for': `198.51.100.${i}` })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
    expect(handled.count).toBe(3);
  });

  it('behind a trusted proxy (trust proxy: loopback) keys by the address the proxy appended, not the entries the client wrote', async () => {
    const { limiter } = perMinute();
    const { url, handled } = await start(
      (app, handled) => {
        app.use(rateLimiting({ limiter }));
        app.get('/', okRoute(handled));
      },
      (app) => app.set('trust proxy', 'loopback'),
    );
    const statuses = [];
    for (let i = 1; i <= 5; i++) statuses.push((await call(url, { 'x-forwarded-for': `10.9.9.${i}, 203.0.113.7` })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    // Another client (another address appended by the proxy) has counts of its own.
    expect((await call(url, { 'x-forwarded-for': '203.0.113.8' })).status).toBe(200);
    expect(handled.count).toBe(4);
  });

  it('groups IPv6 clients by /56 and keys an IPv4-mapped address as its IPv4 address', async () => {
    const { limiter } = perMinute(2);
    const { url } = await start(
      (app, handled) => {
        app.use(rateLimiting({ limiter }));
        app.get('/', okRoute(handled));
      },
      (app) => app.set('trust proxy', 'loopback'),
    );
    const as = async (address: string) => (await call(url, { 'x-forwarded-for': address })).status;
    expect([await as('2001:db8:1:100::1'), await as('2001:db8:1:1ff::2'), await as('2001:db8:1:1aa::3')]).toEqual([200, 200, 429]);
    expect(await as('2001:db8:1:200::1')).toBe(200);
    expect([await as('::ffff:203.0.113.7'), await as('203.0.113.7'), await as('::ffff:cb00:7107')]).toEqual([200, 200, 429]);
  });

  it('with ipv6Prefix: 128, keys each IPv6 address alone', async () => {
    const { limiter } = perMinute(1);
    const { url } = await start(
      (app, handled) => {
        app.use(rateLimiting({ limiter, ipv6Prefix: 128 }));
        app.get('/', okRoute(handled));
      },
      (app) => app.set('trust proxy', 'loopback'),
    );
    const as = async (address: string) => (await call(url, { 'x-forwarded-for': address })).status;
    expect([await as('2001:db8::1'), await as('2001:db8::2'), await as('2001:db8:0:0::1')]).toEqual([200, 200, 429]);
  });

  it('counts by the key function (an API key), sync or async, and a cost function', async () => {
    const { limiter } = perMinute();
    const { url } = await start((app, handled) => {
      app.get('/sync', rateLimiting({ limiter, key: (req) => `api:${req.get('x-api-key') ?? 'anonymous'}` }), okRoute(handled));
      app.get('/async', rateLimiting({ limiter, key: async (req) => `api:${req.get('x-api-key') ?? 'anonymous'}`, cost: async (req) => Number(req.query['units'] ?? 1) }), okRoute(handled));
    });
    expect((await call(`${url}/sync`, { 'x-api-key': 'a' })).headers['ratelimit']).toBe('"per-minute";r=2;t=20');
    // The same key through the other route: the same counts.
    expect((await call(`${url}/async?units=2`, { 'x-api-key': 'a' })).headers['ratelimit']).toBe('"per-minute";r=0;t=60');
    expect((await call(`${url}/sync`, { 'x-api-key': 'a' })).status).toBe(429);
    expect((await call(`${url}/sync`, { 'x-api-key': 'b' })).status).toBe(200);
  });

  it('passes skipped requests on uncounted and without headers', async () => {
    const { limiter } = perMinute(1);
    const { url, handled } = await start((app, handled) => {
      app.use(rateLimiting({ limiter, skip: (req) => req.path === '/healthz' }));
      app.get('/', okRoute(handled));
      app.get('/healthz', okRoute(handled));
    });
    for (let i = 0; i < 3; i++) expect(await call(`${url}/healthz`)).toMatchObject({ status: 200, headers: {} });
    expect((await call(url)).status).toBe(200);
    expect((await call(url)).status).toBe(429);
    expect(handled.count).toBe(4);
  });
});

describe('rateLimiting() global and per route', () => {
  it('counts app-wide with app.use() and per route with a middleware of its own', async () => {
    const global = perMinute(4, 'global');
    const login = perMinute(1, 'login');
    const { url } = await start((app, handled) => {
      app.use(rateLimiting({ limiter: global.limiter }));
      app.post('/login', rateLimiting({ limiter: login.limiter }), okRoute(handled));
      app.get('/items', okRoute(handled));
    });
    const login1 = await fetch(`${url}/login`, { method: 'POST' });
    expect(login1.status).toBe(200);
    // Both limiters' items, app-wide first.
    expect(login1.headers.get('ratelimit-policy')).toBe('"global";q=4;w=60, "login";q=1;w=60');
    expect(login1.headers.get('ratelimit')).toBe('"global";r=3;t=15, "login";r=0;t=60');
    const login2 = await fetch(`${url}/login`, { method: 'POST' });
    expect(login2.headers.get('ratelimit')).toBe('"global";r=2;t=30, "login";r=0;t=60');
    expect(await read(login2)).toMatchObject({ status: 429, retryAfter: '60', body: { detail: 'The rate limit "login" is exhausted; retry after 60 seconds.' } });
    // The login limit leaves other routes alone; the global one counted both logins.
    expect((await call(`${url}/items`)).headers['ratelimit']).toBe('"global";r=1;t=45');
    expect((await call(`${url}/items`)).status).toBe(200);
    expect(await call(`${url}/items`)).toMatchObject({ status: 429, body: { detail: 'The rate limit "global" is exhausted; retry after 15 seconds.' } });
  });
});

describe('rateLimiting() failures', () => {
  /** A store that is down: every decision throws. */
  const downStore: RateLimitStore = {
    decide() {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    },
  } as unknown as RateLimitStore;

  it('answers 503 problem+json with Retry-After when the limiter fails closed during a store outage', async () => {
    const time = manualClock();
    const limiter = rateLimit({ limits: { quota: 3, windowMs: 60_000, name: 'per-minute' }, store: downStore, outage: 'fail-closed', recoverAfterMs: 2_000, clock: time.clock });
    const { url, handled, errors } = await start((app, handled) => {
      app.use(rateLimiting({ limiter }));
      app.get('/', okRoute(handled));
    });
    for (let i = 0; i < 2; i++) {
      expect(await call(url)).toEqual({ status: 503, type: 'application/problem+json', retryAfter: '2', body: unavailableBody, headers: { 'retry-after': '2' } });
    }
    expect(handled.count).toBe(0);
    expect(errors).toEqual([]);
  });

  it('answers 503 for any RateLimiterLike rejecting with the ERR_BREAKWATER_RATE_LIMIT_UNAVAILABLE code', async () => {
    const limiter: RateLimiterLike = {
      name: 'custom',
      limits: [{ name: 'per-minute', quota: 3, windowMs: 60_000 }],
      check: () => Promise.reject(Object.assign(new Error('store down'), { code: 'ERR_BREAKWATER_RATE_LIMIT_UNAVAILABLE', retryAfterMs: 1_500 })),
    };
    const { url, handled } = await start((app, handled) => {
      app.use(rateLimiting({ limiter }));
      app.get('/', okRoute(handled));
    });
    expect(await call(url)).toEqual({ status: 503, type: 'application/problem+json', retryAfter: '2', body: unavailableBody, headers: { 'retry-after': '2' } });
    expect(handled.count).toBe(0);
  });

  it('passes other limiter errors, and what key, cost, skip or onLimited throw, to the error handler', async () => {
    const failing: RateLimiterLike = { name: 'broken', limits: [], check: () => Promise.reject(new Error('limiter bug')) };
    const { limiter } = perMinute(1);
    const { url, handled, errors } = await start((app, handled) => {
      app.get('/limiter', rateLimiting({ limiter: failing }), okRoute(handled));
      app.get('/key', rateLimiting({ limiter, key: () => { throw new Error('key bug'); } }), okRoute(handled));
      app.get('/empty-key', rateLimiting({ limiter, key: () => '' }), okRoute(handled));
      app.get('/cost', rateLimiting({ limiter, cost: () => Number.NaN }), okRoute(handled));
      app.get('/too-costly', rateLimiting({ limiter, cost: () => 2 }), okRoute(handled));
      app.get('/skip', rateLimiting({ limiter, skip: async () => { throw new Error('skip bug'); } }), okRoute(handled));
      app.get('/limited', rateLimiting({ limiter, onLimited: () => { throw new Error('listener bug'); } }), okRoute(handled));
    });
    expect(await call(`${url}/limiter`)).toMatchObject({ status: 500, body: { error: 'limiter bug' } });
    expect(await call(`${url}/key`)).toMatchObject({ status: 500, body: { error: 'key bug' } });
    expect(await call(`${url}/empty-key`)).toMatchObject({ status: 500, body: { error: expect.stringContaining('non-empty string') } });
    expect(await call(`${url}/cost`)).toMatchObject({ status: 500, body: { error: expect.stringContaining('`cost`') } });
    expect(await call(`${url}/too-costly`)).toMatchObject({ status: 500, body: { error: expect.stringContaining('smallest quota') } });
    expect(await call(`${url}/skip`)).toMatchObject({ status: 500, body: { error: 'skip bug' } });
    expect((await call(`${url}/limited`)).status).toBe(200);
    expect(await call(`${url}/limited`)).toMatchObject({ status: 500, body: { error: 'listener bug' } });
    expect(errors).toHaveLength(7);
    expect(handled.count).toBe(1);
  });

  it('calls onLimited with the request and the decision before the 429', async () => {
    const { limiter } = perMinute(1);
    const seen: [string, RateLimitDecision][] = [];
    const { url } = await start((app, handled) => {
      app.use(rateLimiting({ limiter, onLimited: (req, decision) => void seen.push([req.path, decision]) }));
      app.get('/', okRoute(handled));
    });
    await call(url);
    expect(seen).toEqual([]);
    expect((await call(url)).status).toBe(429);
    expect(seen).toEqual([['/', expect.objectContaining({ allowed: false, policy: 'per-minute', retryAfterMs: 60_000 })]]);
  });

  it('when the client leaves while the limiter decides: aborts the signal it gave the limiter, never runs the handler, answers nobody', async () => {
    const pending = new Inbox<{ signal: AbortSignal | undefined; answer: (decision: RateLimitDecision) => void }>();
    // A limiter that decides only when the test says so (a slow store), and ignores its signal.
    const slow: RateLimiterLike = {
      name: 'slow',
      limits: [{ name: 'per-minute', quota: 3, windowMs: 60_000 }],
      check(_key, _cost, signal) {
        const decided = deferred<RateLimitDecision>();
        pending.push({ signal, answer: decided.resolve });
        return decided.promise;
      },
    };
    const { url, handled, errors, tracker } = await start((app, handled) => {
      app.use(rateLimiting({ limiter: slow }));
      app.get('/', okRoute(handled));
    });
    const leaving = new AbortController();
    const abandoned = fetch(url, { signal: leaving.signal }).catch((error: unknown) => error);
    const check = await pending.next();
    expect(check.signal?.aborted).toBe(false);
    leaving.abort();
    expect(await abandoned).toMatchObject({ name: 'AbortError' });
    await tracker.closed.next();
    expect(check.signal?.aborted).toBe(true);
    expect(check.signal?.reason).toMatchObject({ name: 'AbortError' });
    check.answer({ allowed: true, limit: 3, remaining: 2, resetMs: 20_000, retryAfterMs: 0, policy: 'per-minute', limits: [{ name: 'per-minute', quota: 3, windowMs: 60_000, remaining: 2, resetMs: 20_000 }], source: 'store' });
    // The server still answers the next client.
    const next = fetch(url);
    (await pending.next()).answer({ allowed: true, limit: 3, remaining: 1, resetMs: 40_000, retryAfterMs: 0, policy: 'per-minute', limits: [{ name: 'per-minute', quota: 3, windowMs: 60_000, remaining: 1, resetMs: 40_000 }], source: 'store' });
    expect(await read(await next)).toMatchObject({ status: 200, body: { ok: true } });
    expect(handled.count).toBe(1);
    expect(errors).toEqual([]);
  });

  it('when the client leaves while a real limiter waits on a hung store: the wait ends at once, the handler never runs', async () => {
    const calls = new Inbox<void>();
    const hungStore = {
      decide: () => {
        calls.push();
        return new Promise(() => {});
      },
    } as unknown as RateLimitStore;
    const limiter = rateLimit({ limits: { quota: 3, windowMs: 60_000, name: 'per-minute' }, store: hungStore, outage: 'fail-closed', clock: manualClock().clock });
    const { url, handled, errors, tracker } = await start((app, handled) => {
      app.use(rateLimiting({ limiter }));
      app.get('/', okRoute(handled));
    });
    const leaving = new AbortController();
    const abandoned = fetch(url, { signal: leaving.signal }).catch((error: unknown) => error);
    await calls.next();
    leaving.abort();
    expect(await abandoned).toMatchObject({ name: 'AbortError' });
    await tracker.closed.next();
    await new Promise((resolve) => setImmediate(resolve));
    expect(handled.count).toBe(0);
    expect(errors).toEqual([]);
  });
});

describe('rateLimiting() options', () => {
  const { limiter } = perMinute();
  const error = (fn: () => unknown): unknown => {
    try {
      fn();
    } catch (thrown) {
      return thrown;
    }
    throw new Error('expected a throw');
  };

  it.each([
    [{}, TypeError, 'Expected `limiter` to be an object with check(), got `undefined` (undefined)'],
    [{ limiter: { check: () => undefined } }, TypeError, 'Expected `limiter.limits` to be an array of { name, quota, windowMs }, got `undefined` (undefined)'],
    [{ limiter, headers: 'draft-8' }, RangeError, "Expected `headers` to be one of `draft`, `legacy`, `both`, `false`, got `\"draft-8\"` (string)"],
    [{ limiter, headers: true }, TypeError, 'Expected `headers` to be one of `draft`, `legacy`, `both`, `false`, got `true` (boolean)'],
    [{ limiter, ipv6Prefix: 31 }, RangeError, 'Expected `ipv6Prefix` to be an integer from 32 to 128, got `31` (number)'],
    [{ limiter, ipv6Prefix: 56.5 }, RangeError, 'Expected `ipv6Prefix` to be an integer from 32 to 128, got `56.5` (number)'],
    [{ limiter, cost: 4 }, RangeError, 'Expected `cost` to be a number from 0 to 3, got `4` (number)'],
    [{ limiter, cost: '1' }, TypeError, 'Expected `cost` to be a number from 0 to 3, got `"1"` (string)'],
    [{ limiter, key: 'user' }, TypeError, 'Expected `key` to be a function, got `"user"` (string)'],
    [{ limiter, skip: true }, TypeError, 'Expected `skip` to be a function, got `true` (boolean)'],
    [{ limiter, onLimited: 1 }, TypeError, 'Expected `onLimited` to be a function, got `1` (number)'],
    [{ limiter, max: 10 }, TypeError, 'Unknown option `max` for rateLimiting(); expected one of `limiter`, `key`, `cost`, `skip`, `headers`, `ipv6Prefix`, `onLimited`'],
  ])('rejects %o at construction', (options, kind, message) => {
    const thrown = error(() => rateLimiting(options as never));
    expect(thrown).toBeInstanceOf(kind);
    expect(thrown).toMatchObject({ message, code: INVALID_OPTION });
  });

  it('rejects a limiter whose limit names cannot be sent in a header', () => {
    const bad: RateLimiterLike = { name: 'bad', limits: [{ name: 'naïve', quota: 1, windowMs: 1_000 }], check: limiter.check.bind(limiter) };
    expect(error(() => rateLimiting({ limiter: bad }))).toMatchObject({ code: INVALID_OPTION, message: expect.stringContaining('`limiter.limits[0].name`') });
  });

  it('returns a named middleware', () => {
    expect(rateLimiting({ limiter }).name).toBe('breakwaterRateLimiting');
  });
});
