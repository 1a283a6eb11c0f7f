import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { INVALID_OPTION } from '@breakwater/core';
import { rateLimit, type RateLimitStore } from '@breakwater/rate-limit';
import { breakwaterDeadline, breakwaterRateLimit, type RateLimitDecision, type RateLimiterLike, type RateLimitOptions } from '@breakwater/fastify';
import { deferred, Inbox, listen, manualClock, read, trackResponses } from './helpers.ts';

let server: FastifyInstance | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// The same literals are asserted by the Express adapter's tests: both frameworks answer alike.
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

/** An app: `mount` registers the plugin and routes; errors are reported as 500 `{ error }`. */
async function start(mount: (app: FastifyInstance, handled: Inbox<FastifyRequest>) => Promise<void> | void, options: FastifyServerOptions = {}) {
  const app = (server = Fastify({ forceCloseConnections: true, ...options }));
  const handled = new Inbox<FastifyRequest>();
  const errors: unknown[] = [];
  const tracker = trackResponses(app);
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    errors.push(error);
    return reply.code(500).send({ error: error.message });
  });
  await mount(app, handled);
  const url = await listen(app);
  return { url, handled, errors, tracker };
}

function okRoute(handled: Inbox<FastifyRequest>) {
  return async (request: FastifyRequest): Promise<{ ok: true }> => {
    handled.push(request);
    return { ok: true };
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

async function call(url: string, headers: Record<string, string> = {}, method = 'GET') {
  const res = await fetch(url, { headers, method });
  return { ...(await read(res)), headers: limitHeaders(res) };
}

describe('breakwaterRateLimit with the memory limiter', () => {
  it('admits exactly the quota with exact RateLimit headers, then answers 429 problem+json with Retry-After; the handler never runs for it', async () => {
    const { limiter, time } = perMinute();
    const { url, handled } = await start(async (app, handled) => {
      await app.register(breakwaterRateLimit, { limiter });
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

    time.advance(20_000);
    expect((await call(url)).status).toBe(200);
    expect((await call(url)).status).toBe(429);
    expect(handled.count).toBe(4);
  });

  it('sends the problem body as written, with a matching content-length', async () => {
    const { limiter } = perMinute(1);
    const { url } = await start(async (app, handled) => {
      await app.register(breakwaterRateLimit, { limiter });
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
    const { url } = await start(async (app, handled) => {
      await app.register(breakwaterRateLimit, { limiter });
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
    const { url } = await start(async (app, handled) => {
      await app.register(breakwaterRateLimit, { limiter, global: false });
      app.get('/legacy', { config: { breakwater: { rateLimit: { headers: 'legacy' } } } }, okRoute(handled));
      app.get('/both', { config: { breakwater: { rateLimit: { headers: 'both' } } } }, okRoute(handled));
      app.get('/none', { config: { breakwater: { rateLimit: { headers: false } } } }, okRoute(handled));
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
    expect(await call(`${url}/none`)).toMatchObject({ status: 429, headers: { 'retry-after': '20' }, body: limitedBody });
  });
});

describe('breakwaterRateLimit keys', () => {
  it('ignores a spoofed X-Forwarded-For without trustProxy: a new address per request does not reset the count', async () => {
    const { limiter } = perMinute();
    const { url, handled } = await start(async (app, handled) => {
      await app.register(breakwaterRateLimit, { limiter });
      app.get('/', okRoute(handled));
    });
    const statuses = [];
    for (let i = 1; i <= 6; i++) statuses.push((await call(url, { 'x-forwarded-for': `198.51.100.${i}` })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
    expect(handled.count).toBe(3);
  });

  it('behind a trusted proxy (trustProxy: loopback) keys by the address the proxy appended, not the entries the client wrote', async () => {
    const { limiter } = perMinute();
    const { url, handled } = await start(
      async (app, handled) => {
        await app.register(breakwaterRateLimit, { limiter });
        app.get('/', okRoute(handled));
      },
      { trustProxy: 'loopback' },
    );
    const statuses = [];
    for (let i = 1; i <= 5; i++) statuses.push((await call(url, { 'x-forwarded-for': `10.9.9.${i}, 203.0.113.7` })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect((await call(url, { 'x-forwarded-for': '203.0.113.8' })).status).toBe(200);
    expect(handled.count).toBe(4);
  });

  it('groups IPv6 clients by /56 and keys an IPv4-mapped address as its IPv4 address', async () => {
    const { limiter } = perMinute(2);
    const { url } = await start(
      async (app, handled) => {
        await app.register(breakwaterRateLimit, { limiter });
        app.get('/', okRoute(handled));
      },
      { trustProxy: 'loopback' },
    );
    const as = async (address: string) => (await call(url, { 'x-forwarded-for': address })).status;
    expect([await as('2001:db8:1:100::1'), await as('2001:db8:1:1ff::2'), await as('2001:db8:1:1aa::3')]).toEqual([200, 200, 429]);
    expect(await as('2001:db8:1:200::1')).toBe(200);
    expect([await as('::ffff:203.0.113.7'), await as('203.0.113.7'), await as('::ffff:cb00:7107')]).toEqual([200, 200, 429]);
  });

  it('with ipv6Prefix: 128, keys each IPv6 address alone', async () => {
    const { limiter } = perMinute(1);
    const { url } = await start(
      async (app, handled) => {
        await app.register(breakwaterRateLimit, { limiter, ipv6Prefix: 128 });
        app.get('/', okRoute(handled));
      },
      { trustProxy: 'loopback' },
    );
    const as = async (address: string) => (await call(url, { 'x-forwarded-for': address })).status;
    expect([await as('2001:db8::1'), await as('2001:db8::2'), await as('2001:db8:0:0::1')]).toEqual([200, 200, 429]);
  });

  it('counts by the key function (an API key), sync or async, and a cost function', async () => {
    const { limiter } = perMinute();
    const { url } = await start(async (app, handled) => {
      await app.register(breakwaterRateLimit, { limiter, key: (request) => `api:${String(request.headers['x-api-key'] ?? 'anonymous')}` });
      app.get('/sync', okRoute(handled));
      const costly = { key: async (request: FastifyRequest) => `api:${String(request.headers['x-api-key'] ?? 'anonymous')}`, cost: async (request: FastifyRequest) => Number((request.query as Record<string, string>)['units'] ?? 1) };
      app.get('/async', { config: { breakwater: { rateLimit: costly } } }, okRoute(handled));
    });
    expect((await call(`${url}/sync`, { 'x-api-key': 'a' })).headers['ratelimit']).toBe('"per-minute";r=2;t=20');
    expect((await call(`${url}/async?units=2`, { 'x-api-key': 'a' })).headers['ratelimit']).toBe('"per-minute";r=0;t=60');
    expect((await call(`${url}/sync`, { 'x-api-key': 'a' })).status).toBe(429);
    expect((await call(`${url}/sync`, { 'x-api-key': 'b' })).status).toBe(200);
  });

  it('passes skipped requests on uncounted and without headers', async () => {
    const { limiter } = perMinute(1);
    const { url, handled } = await start(async (app, handled) => {
      await app.register(breakwaterRateLimit, { limiter, skip: (request) => request.url === '/healthz' });
      app.get('/', okRoute(handled));
      app.get('/healthz', okRoute(handled));
    });
    for (let i = 0; i < 3; i++) expect(await call(`${url}/healthz`)).toMatchObject({ status: 200, headers: {} });
    expect((await call(url)).status).toBe(200);
    expect((await call(url)).status).toBe(429);
    expect(handled.count).toBe(4);
  });
});

describe('breakwaterRateLimit global and per route', () => {
  it('limits every route app-wide; a route with a limiter of its own uses it instead, a route with rateLimit: false none', async () => {
    const global = perMinute(4, 'global');
    const login = perMinute(1, 'login');
    const { url } = await start(async (app, handled) => {
      await app.register(breakwaterRateLimit, { limiter: global.limiter });
      app.post('/login', { config: { breakwater: { rateLimit: { limiter: login.limiter } } } }, okRoute(handled));
      app.get('/items', okRoute(handled));
      app.get('/healthz', { config: { breakwater: { rateLimit: false } } }, okRoute(handled));
    });
    const login1 = await fetch(`${url}/login`, { method: 'POST' });
    expect(login1.status).toBe(200);
    // The route's own limiter replaces the app-wide one for this route.
    expect(login1.headers.get('ratelimit-policy')).toBe('"login";q=1;w=60');
    expect(login1.headers.get('ratelimit')).toBe('"login";r=0;t=60');
    const login2 = await fetch(`${url}/login`, { method: 'POST' });
    expect(await read(login2)).toMatchObject({ status: 429, retryAfter: '60', body: { detail: 'The rate limit "login" is exhausted; retry after 60 seconds.' } });
    // The logins did not count app-wide; the health check is never counted.
    for (let i = 0; i < 5; i++) expect(await call(`${url}/healthz`)).toMatchObject({ status: 200, headers: {} });
    expect((await call(`${url}/items`)).headers['ratelimit']).toBe('"global";r=3;t=15');
    for (let i = 0; i < 3; i++) expect((await call(`${url}/items`)).status).toBe(200);
    expect(await call(`${url}/items`)).toMatchObject({ status: 429, body: { detail: 'The rate limit "global" is exhausted; retry after 15 seconds.' } });
  });

  it('with global: false, limits only the routes that ask, with the plugin limiter unless they bring their own', async () => {
    const shared = perMinute(1, 'shared');
    const own = perMinute(2, 'own');
    const { url } = await start(async (app, handled) => {
      await app.register(breakwaterRateLimit, { limiter: shared.limiter, global: false });
      app.get('/free', okRoute(handled));
      app.get('/shared', { config: { breakwater: { rateLimit: {} } } }, okRoute(handled));
      app.get('/own', { config: { breakwater: { rateLimit: { limiter: own.limiter } } } }, okRoute(handled));
    });
    for (let i = 0; i < 3; i++) expect(await call(`${url}/free`)).toMatchObject({ status: 200, headers: {} });
    expect((await call(`${url}/shared`)).status).toBe(200);
    expect((await call(`${url}/shared`)).status).toBe(429);
    expect((await call(`${url}/own`)).headers['ratelimit']).toBe('"own";r=1;t=30');
  });

  it('stacks with a plugin registered again in a child scope: both limits apply, both lists are sent, app-wide first', async () => {
    const global = perMinute(4, 'global');
    const api = perMinute(1, 'api');
    const { url } = await start(async (app, handled) => {
      await app.register(breakwaterRateLimit, { limiter: global.limiter });
      await app.register(async (scope) => {
        await scope.register(breakwaterRateLimit, { limiter: api.limiter });
        scope.get('/api', okRoute(handled));
      });
    });
    const first = await call(`${url}/api`);
    expect(first).toMatchObject({ status: 200, headers: { 'ratelimit-policy': '"global";q=4;w=60, "api";q=1;w=60', ratelimit: '"global";r=3;t=15, "api";r=0;t=60' } });
    const second = await call(`${url}/api`);
    expect(second).toMatchObject({ status: 429, retryAfter: '60', headers: { ratelimit: '"global";r=2;t=30, "api";r=0;t=60' }, body: { detail: 'The rate limit "api" is exhausted; retry after 60 seconds.' } });
  });

  it('limits only the routes of the scope it is registered in', async () => {
    const { limiter } = perMinute(1);
    const { url } = await start(async (app, handled) => {
      await app.register(async (api) => {
        await api.register(breakwaterRateLimit, { limiter });
        api.get('/api', okRoute(handled));
      });
      app.get('/public', okRoute(handled));
    });
    expect((await call(`${url}/api`)).status).toBe(200);
    expect((await call(`${url}/api`)).status).toBe(429);
    for (let i = 0; i < 3; i++) expect(await call(`${url}/public`)).toMatchObject({ status: 200, headers: {} });
  });
});

describe('breakwaterRateLimit failures', () => {
  const downStore = {
    decide() {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    },
  } as unknown as RateLimitStore;

  it('answers 503 problem+json with Retry-After when the limiter fails closed during a store outage', async () => {
    const time = manualClock();
    const limiter = rateLimit({ limits: { quota: 3, windowMs: 60_000, name: 'per-minute' }, store: downStore, outage: 'fail-closed', recoverAfterMs: 2_000, clock: time.clock });
    const { url, handled, errors } = await start(async (app, handled) => {
      await app.register(breakwaterRateLimit, { limiter });
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
    const { url, handled } = await start(async (app, handled) => {
      await app.register(breakwaterRateLimit, { limiter });
      app.get('/', okRoute(handled));
    });
    expect(await call(url)).toEqual({ status: 503, type: 'application/problem+json', retryAfter: '2', body: unavailableBody, headers: { 'retry-after': '2' } });
    expect(handled.count).toBe(0);
  });

  it('passes other limiter errors, and what key, cost, skip or onLimited throw, to the error handler', async () => {
    const failing: RateLimiterLike = { name: 'broken', limits: [], check: () => Promise.reject(new Error('limiter bug')) };
    const { limiter } = perMinute(1);
    const route = (rateLimitOptions: object) => ({ config: { breakwater: { rateLimit: rateLimitOptions } } });
    const { url, handled, errors } = await start(async (app, handled) => {
      await app.register(breakwaterRateLimit, { limiter, global: false });
      app.get('/limiter', route({ limiter: failing }), okRoute(handled));
      app.get('/key', route({ key: () => { throw new Error('key bug'); } }), okRoute(handled));
      app.get('/empty-key', route({ key: () => '' }), okRoute(handled));
      app.get('/cost', route({ cost: () => Number.NaN }), okRoute(handled));
      app.get('/too-costly', route({ cost: () => 2 }), okRoute(handled));
      app.get('/skip', route({ skip: async () => { throw new Error('skip bug'); } }), okRoute(handled));
      app.get('/limited', route({ onLimited: () => { throw new Error('listener bug'); } }), okRoute(handled));
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
    const { url } = await start(async (app, handled) => {
      await app.register(breakwaterRateLimit, { limiter, onLimited: (request, decision) => void seen.push([request.url, decision]) });
      app.get('/', okRoute(handled));
    });
    await call(url);
    expect(seen).toEqual([]);
    expect((await call(url)).status).toBe(429);
    expect(seen).toEqual([['/', expect.objectContaining({ allowed: false, policy: 'per-minute', retryAfterMs: 60_000 })]]);
  });

  it('when the client leaves while the limiter decides: aborts the signal it gave the limiter, never runs the handler, answers nobody', async () => {
    const pending = new Inbox<{ signal: AbortSignal | undefined; answer: (decision: RateLimitDecision) => void }>();
    const slow: RateLimiterLike = {
      name: 'slow',
      limits: [{ name: 'per-minute', quota: 3, windowMs: 60_000 }],
      check(_key, _cost, signal) {
        const decided = deferred<RateLimitDecision>();
        pending.push({ signal, answer: decided.resolve });
        return decided.promise;
      },
    };
    const { url, handled, errors, tracker } = await start(async (app, handled) => {
      await app.register(breakwaterRateLimit, { limiter: slow });
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
    const { url, handled, errors, tracker } = await start(async (app, handled) => {
      await app.register(breakwaterRateLimit, { limiter });
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

  it('keeps an answer a deadline gave while the limiter was deciding', async () => {
    const time = manualClock();
    const pending = new Inbox<(decision: RateLimitDecision) => void>();
    const slow: RateLimiterLike = {
      name: 'slow',
      limits: [{ name: 'per-minute', quota: 3, windowMs: 60_000 }],
      check() {
        const decided = deferred<RateLimitDecision>();
        pending.push(decided.resolve);
        return decided.promise;
      },
    };
    const { url, handled, errors } = await start(async (app, handled) => {
      await app.register(breakwaterDeadline, { timeout: 1_000, clock: time.clock });
      await app.register(breakwaterRateLimit, { limiter: slow });
      app.get('/', okRoute(handled));
    });
    const answered = fetch(url);
    const answer = await pending.next();
    time.advance(1_000);
    expect((await answered).status).toBe(504);
    answer({ allowed: false, limit: 3, remaining: 0, resetMs: 20_000, retryAfterMs: 20_000, policy: 'per-minute', limits: [{ name: 'per-minute', quota: 3, windowMs: 60_000, remaining: 0, resetMs: 20_000 }], source: 'store' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(handled.count).toBe(0);
    expect(errors).toEqual([]);
  });
});

describe('breakwaterRateLimit options', () => {
  const { limiter } = perMinute();

  /** What registering the plugin, then the routes, then ready() throws first (the test fails if nothing does). */
  async function registrationError(options: unknown, routes: (app: FastifyInstance) => void = () => {}): Promise<unknown> {
    const app = (server = Fastify());
    try {
      await app.register(breakwaterRateLimit, options as RateLimitOptions);
      routes(app);
      await app.ready();
    } catch (error) {
      return error;
    }
    throw new Error('expected the registration to fail');
  }

  it.each([
    [{}, TypeError, 'Expected `limiter` to be a rate limiter (`rateLimit()` from @breakwater/rate-limit): it is required unless `global` is false'],
    [{ limiter, global: 'yes' }, TypeError, 'Expected `global` to be a boolean, got `"yes"` (string)'],
    [{ limiter, headers: 'draft-8' }, RangeError, "Expected `headers` to be one of `draft`, `legacy`, `both`, `false`, got `\"draft-8\"` (string)"],
    [{ limiter, ipv6Prefix: 129 }, RangeError, 'Expected `ipv6Prefix` to be an integer from 32 to 128, got `129` (number)'],
    [{ limiter, cost: 4 }, RangeError, 'Expected `cost` to be a number from 0 to 3, got `4` (number)'],
    [{ limiter, key: 'user' }, TypeError, 'Expected `key` to be a function, got `"user"` (string)'],
    [{ limiter, max: 10 }, TypeError, 'Unknown option `max` for breakwaterRateLimit; expected one of `limiter`, `key`, `cost`, `skip`, `headers`, `ipv6Prefix`, `onLimited`, `global`'],
  ])('rejects %o when registered', async (options, kind, message) => {
    const thrown = await registrationError(options);
    expect(thrown).toBeInstanceOf(kind);
    expect(thrown).toMatchObject({ message, code: INVALID_OPTION });
  });

  it("rejects a route's bad rate-limit config when the route is registered, naming the route", async () => {
    expect(
      await registrationError({ limiter }, (app) => app.get('/x', { config: { breakwater: { rateLimit: { ipv6Prefix: 8 } } } }, async () => 'x')),
    ).toMatchObject({ code: INVALID_OPTION, message: 'Expected `ipv6Prefix` to be an integer from 32 to 128, got `8` (number)' });
    expect(
      await registrationError({ limiter }, (app) => app.get('/x', { config: { breakwater: { rateLimit: true as never } } }, async () => 'x')),
    ).toMatchObject({ code: INVALID_OPTION, message: 'Expected `config.breakwater.rateLimit` of GET /x to be false or an object of rate-limit options, got `true` (boolean)' });
    expect(
      await registrationError({ limiter }, (app) => app.get('/x', { config: { breakwater: { rateLimit: { max: 1 } as never } } }, async () => 'x')),
    ).toMatchObject({ code: INVALID_OPTION, message: expect.stringContaining('Unknown option `max` for config.breakwater.rateLimit of GET /x') });
  });

  it('with global: false and no plugin limiter, a limited route must bring one', async () => {
    expect(
      await registrationError({ global: false }, (app) => app.get('/x', { config: { breakwater: { rateLimit: {} } } }, async () => 'x')),
    ).toMatchObject({ code: INVALID_OPTION, message: 'Expected `limiter` to be an object with check(), got `undefined` (undefined)' });
  });
});

// Typed use: route options are checked by TypeScript too.
export function typedRoute(app: FastifyInstance, handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>): void {
  app.get('/typed', { config: { breakwater: { rateLimit: { cost: 2, headers: 'legacy' } } } }, handler);
  app.get('/exempt', { config: { breakwater: { rateLimit: false } } }, handler);
  // @ts-expect-error a route can turn its limit off, not on
  app.get('/on', { config: { breakwater: { rateLimit: true } } }, handler);
  // @ts-expect-error headers is a mode
  app.get('/bad', { config: { breakwater: { rateLimit: { headers: 'draft-8' } } } }, handler);
}

describe('route config shared with the other plugins', () => {
  it('a route may carry rateLimit next to deadline and loadShedding settings', async () => {
    const app = Fastify();
    const limiter = rateLimit({ limits: { quota: 1, windowMs: 60_000 } });
    await app.register(breakwaterDeadline, { timeout: 1_000 });
    await app.register(breakwaterRateLimit, { limiter, global: false });
    app.get('/limited', { config: { breakwater: { deadline: 500, rateLimit: {} } } }, async () => 'ok');
    const url = await listen(app);
    try {
      expect((await fetch(`${url}/limited`)).status).toBe(200);
      expect((await fetch(`${url}/limited`)).status).toBe(429);
    } finally {
      await app.close();
    }
  });
});
