import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createCache, type Cache } from '@breakwater/cache';
import { responseCache, type ResponseCachingOptions } from '@breakwater/express';
import { responseCacheScenarios, send } from '../../cache/test/http-scenarios.ts';
import { startExpressCache } from './response-cache-app.ts';
import { listen, type Running } from './helpers.ts';

responseCacheScenarios('Express', startExpressCache, async (options) => {
  responseCache(options as ResponseCachingOptions);
});

describe('responseCache() on Express', () => {
  let running: Running | undefined;
  let cache: Cache | undefined;
  afterEach(async () => {
    await running?.close();
    await cache?.close();
    running = cache = undefined;
  });

  it('caches only the routes it is mounted on, under the key the key option gives', async () => {
    cache = createCache({ name: 'http' });
    const calls: Record<string, number> = {};
    const app = express();
    const cached = responseCache({ cache, key: (req) => `items:${req.path}` });
    const handler = (name: string) => (req: express.Request, res: express.Response) => {
      calls[name] = (calls[name] ?? 0) + 1;
      res.set('cache-control', 'public, max-age=60').json({ name, call: calls[name], query: req.query });
    };
    app.get('/items', cached, handler('items'));
    app.get('/other', handler('other'));
    running = await listen(app);
    const first = await send(running.url, '/items?page=1');
    // The key ignores the query: page=2 is the same entry.
    const second = await send(running.url, '/items?page=2');
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.json).toEqual(first.json);
    await send(running.url, '/other');
    expect((await send(running.url, '/other')).headers['x-cache']).toBeUndefined();
    expect(calls).toEqual({ items: 1, other: 2 });
  });

  it('stores a response written in chunks with writeHead headers', async () => {
    cache = createCache({ name: 'http' });
    let calls = 0;
    const app = express();
    app.get('/chunks', responseCache({ cache }), (_req, res) => {
      calls++;
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=60', 'x-call': String(calls) });
      res.write('one,');
      res.write(Buffer.from('two,'));
      res.end('three');
    });
    running = await listen(app);
    await send(running.url, '/chunks');
    const hit = await send(running.url, '/chunks');
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.body.toString()).toBe('one,two,three');
    expect(hit.headers['x-call']).toBe('1');
    expect(hit.headers['cache-control']).toBe('max-age=60');
    expect(calls).toBe(1);
  });

  it('passes an error thrown by the key function to Express', async () => {
    cache = createCache({ name: 'http' });
    const app = express();
    app.get(
      '/k',
      responseCache({
        cache,
        key: () => {
          throw new Error('no key');
        },
      }),
      (_req, res) => void res.send('ran'),
    );
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).send(error.message));
    running = await listen(app);
    const answer = await send(running.url, '/k');
    expect(answer.status).toBe(500);
    expect(answer.body.toString()).toBe('no key');
  });
});
