import type { FastifyReply, FastifyRequest } from 'fastify';
import { deferred, Inbox } from 'breakwater-test-utils';
import { breakwaterResponseCache } from '@breakwater/fastify';
import type { CacheApp, Gate, SharedOptions } from '../../cache/test/http-scenarios.ts';
import { app as fastifyApp, listen } from './helpers.ts';

/** The scenario routes (see StartCacheApp) on Fastify 5. */
export async function startFastifyCache(options: SharedOptions): Promise<CacheApp> {
  const calls: Record<string, number> = {};
  const arrivals = new Inbox<string>();
  const gates = new Inbox<Gate>();
  let requests = 0;
  const app = fastifyApp();
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', String(++requests));
    arrivals.push(request.url);
  });
  await app.register(breakwaterResponseCache, options);
  const answer = async (name: string, request: FastifyRequest, reply: FastifyReply, defaults: Record<string, string> = {}) => {
    const n = (calls[name] = (calls[name] ?? 0) + 1);
    const query = { ...defaults, ...(request.query as Record<string, string>) };
    if (query['gate'] === '1') {
      const gate = deferred();
      gates.push({ release: () => gate.resolve() });
      await gate.promise;
    }
    reply.code(Number(query['status'] ?? 200));
    reply.header('x-call', String(n));
    for (const header of ['cache-control', 'vary', 'expires', 'age'] as const) {
      const value = query[header === 'cache-control' ? 'cc' : header];
      if (value !== undefined) reply.header(header, value);
    }
    if (query['cookie'] === '1') reply.header('set-cookie', 's=1');
    if (query['size'] !== undefined) return reply.type('text/plain').send('x'.repeat(Number(query['size'])));
    if (query['bin'] === '1') return reply.type('application/octet-stream').send(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    return reply.send({ call: n, lang: request.headers['accept-language'] ?? null });
  };
  app.get('/optout', { config: { breakwater: { responseCache: false } } }, (request, reply) => answer('optout', request, reply, { cc: 'public, max-age=60' }));
  app.route({ method: ['GET', 'POST'], url: '/r', handler: (request, reply) => answer('r', request, reply) });
  const url = await listen(app);
  return { url, calls, arrivals, gates, close: () => app.close() };
}
