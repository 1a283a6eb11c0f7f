import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createCache, type Cache } from '@breakwater/cache';
import { breakwaterResponseCache } from '@breakwater/fastify';
import { manualClock } from 'breakwater-test-utils';
import { responseCacheScenarios, send } from '../../cache/test/http-scenarios.ts';
import { startFastifyCache } from './response-cache-app.ts';
import { app as fastifyApp, listen } from './helpers.ts';

responseCacheScenarios('Fastify', startFastifyCache, async (options) => {
  const app = fastifyApp();
  try {
    await app.register(breakwaterResponseCache, options as never);
    await app.ready();
  } finally {
    await app.close();
  }
});

describe('breakwaterResponseCache on Fastify', () => {
  let app: FastifyInstance | undefined;
  let cache: Cache | undefined;
  afterEach(async () => {
    await app?.close();
    await cache?.close();
    app = cache = undefined;
  });

  it('gives a route its own defaultTtlMs', async () => {
    const time = manualClock();
    cache = createCache({ name: 'http', clock: time.clock });
    app = fastifyApp();
    await app.register(breakwaterResponseCache, { cache, clock: time.clock });
    let calls = 0;
    app.get('/short', { config: { breakwater: { responseCache: { defaultTtlMs: 5_000 } } } }, async () => ({ call: ++calls }));
    app.get('/none', async () => ({ call: ++calls }));
    const url = await listen(app);
    await send(url, '/short');
    expect((await send(url, '/short')).headers['x-cache']).toBe('HIT');
    time.advance(5_000);
    expect((await send(url, '/short')).headers['x-cache']).toBe('MISS');
    // The plugin has no defaultTtlMs: a route without one stores nothing without explicit freshness.
    await send(url, '/none');
    expect((await send(url, '/none')).headers['x-cache']).toBe('MISS');
    expect(calls).toBe(4);
  });

  it('passes a streamed reply through unstored', async () => {
    cache = createCache({ name: 'http' });
    app = fastifyApp();
    await app.register(breakwaterResponseCache, { cache });
    let calls = 0;
    app.get('/stream', async (_request, reply) => {
      calls++;
      reply.header('cache-control', 'public, max-age=60').type('text/plain');
      return reply.send(Readable.from(['a', 'b', 'c']));
    });
    const url = await listen(app);
    expect((await send(url, '/stream')).body.toString()).toBe('abc');
    const again = await send(url, '/stream');
    expect(again.body.toString()).toBe('abc');
    expect(again.headers['x-cache']).toBe('MISS');
    expect(calls).toBe(2);
  });

  it('looks up after the route’s own preHandler (authentication): a hit is never served to a request it refuses', async () => {
    cache = createCache({ name: 'http' });
    app = fastifyApp();
    await app.register(breakwaterResponseCache, { cache });
    let calls = 0;
    app.get(
      '/report',
      {
        preHandler: async (request, reply) => {
          if (request.headers['x-api-key'] !== 'secret') return reply.code(401).send({ error: 'unauthorised' });
          return undefined;
        },
      },
      async (_request, reply) => {
        reply.header('cache-control', 'public, max-age=60');
        return { call: ++calls };
      },
    );
    const url = await listen(app);
    await send(url, '/report', { headers: ['x-api-key', 'secret'] });
    expect((await send(url, '/report', { headers: ['x-api-key', 'secret'] })).headers['x-cache']).toBe('HIT');
    expect((await send(url, '/report')).status).toBe(401);
    expect(calls).toBe(1);
  });

  it('uses the key option with the Fastify request', async () => {
    cache = createCache({ name: 'http' });
    app = fastifyApp();
    await app.register(breakwaterResponseCache, { cache, key: (request) => `items:${request.routeOptions.url ?? ''}` });
    let calls = 0;
    app.get('/items', async (_request, reply) => {
      reply.header('cache-control', 'max-age=60');
      return { call: ++calls };
    });
    const url = await listen(app);
    const first = await send(url, '/items?page=1');
    const second = await send(url, '/items?page=2');
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.json).toEqual(first.json);
    expect(calls).toBe(1);
  });

  it('rejects a bad config.breakwater.responseCache when the route is registered, naming the route', async () => {
    cache = createCache({ name: 'http' });
    for (const [value, message] of [
      [true, /`config.breakwater.responseCache` of GET \/x to be false or an object, got `true`/],
      [{ defaultTtlMs: -1 }, /defaultTtlMs of GET \/x.*`-1`/],
      [{ ttl: 5 }, /Unknown option `ttl`/],
    ] as const) {
      const bad = fastifyApp();
      await bad.register(breakwaterResponseCache, { cache });
      expect(() => bad.get('/x', { config: { breakwater: { responseCache: value as never } } }, async () => 'x')).toThrow(message);
      await bad.close();
    }
  });
});
