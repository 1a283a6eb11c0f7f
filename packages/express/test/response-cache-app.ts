import express, { type Request, type Response } from 'express';
import { deferred, Inbox } from 'breakwater-test-utils';
import { responseCache } from '@breakwater/express';
import type { CacheApp, Gate, SharedOptions } from '../../cache/test/http-scenarios.ts';
import { listen } from './helpers.ts';

/** The scenario routes (see StartCacheApp) on Express 5. */
export async function startExpressCache(options: SharedOptions): Promise<CacheApp> {
  const calls: Record<string, number> = {};
  const arrivals = new Inbox<string>();
  const gates = new Inbox<Gate>();
  let requests = 0;
  const app = express();
  app.use((req, res, next) => {
    res.setHeader('x-request-id', String(++requests));
    arrivals.push(req.originalUrl);
    next();
  });
  const answer = async (name: string, req: Request, res: Response, defaults: Record<string, string> = {}): Promise<void> => {
    const n = (calls[name] = (calls[name] ?? 0) + 1);
    const query = { ...defaults, ...(req.query as Record<string, string>) };
    if (query['gate'] === '1') {
      const gate = deferred();
      gates.push({ release: () => gate.resolve() });
      await gate.promise;
    }
    res.status(Number(query['status'] ?? 200));
    res.set('x-call', String(n));
    for (const header of ['cache-control', 'vary', 'expires', 'age'] as const) {
      const value = query[header === 'cache-control' ? 'cc' : header];
      if (value !== undefined) res.set(header, value);
    }
    if (query['cookie'] === '1') res.set('set-cookie', 's=1');
    if (query['size'] !== undefined) return void res.type('text/plain').send('x'.repeat(Number(query['size'])));
    if (query['bin'] === '1') return void res.type('application/octet-stream').send(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    res.json({ call: n, lang: req.get('accept-language') ?? null });
  };
  app.get('/optout', (req, res) => answer('optout', req, res, { cc: 'public, max-age=60' }));
  app.use(responseCache(options));
  app.all('/r', (req, res) => answer('r', req, res));
  const running = await listen(app);
  return { url: running.url, calls, arrivals, gates, close: () => running.close() };
}
