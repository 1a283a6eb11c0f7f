import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { problemDetails, PROBLEM_CONTENT_TYPE } from '@breakwater/core';
import { breakwaterHealth, breakwaterHttpMetrics, metricsHandler } from '@breakwater/fastify';
import type { Health } from '@breakwater/health';
import type { BreakwaterMetrics } from '@breakwater/metrics';
import type { CatalogCaches } from './caches.ts';
import type { CatalogDatabase, Product } from './database.ts';
import type { ViewCounter } from './view-counter.ts';

export interface CatalogAppDeps {
  readonly db: CatalogDatabase;
  readonly caches: CatalogCaches;
  readonly counter: ViewCounter;
  readonly health: Health;
  readonly metrics: BreakwaterMetrics;
  readonly registry: Registry;
}

const ID = /^p[0-9]{1,9}$/;

/**
 * `GET /products/:id` (cache-aside), `PUT /products/:id` (write-through), `POST /products/:id/views`
 * (write-behind), health probes under `/health/*` and Prometheus metrics at `/metrics`.
 */
export async function createCatalogApp(deps: CatalogAppDeps): Promise<FastifyInstance> {
  const { db, caches, counter } = deps;
  const app = Fastify();
  await app.register(breakwaterHttpMetrics, { observe: deps.metrics.httpObserver() });
  await app.register(breakwaterHealth, { health: deps.health });
  app.get('/metrics', metricsHandler(deps.registry));

  const load = (id: string) => caches.products.getOrLoad(id, ({ signal }) => db.product(id, signal).then((product) => product ?? null));

  app.get<{ Params: { id: string } }>('/products/:id', async (request, reply) => {
    const { id } = request.params;
    if (!ID.test(id)) return problem(reply, 400, 'Product ids look like p123.');
    try {
      const product = await load(id);
      return product ?? problem(reply, 404, `No product ${id}.`);
    } catch {
      // The database failed or was too slow, and there was no stale copy to serve.
      reply.header('retry-after', '1');
      return problem(reply, 503, 'The catalog is unavailable; retry shortly.');
    }
  });

  app.put<{ Params: { id: string }; Body: { name?: unknown; priceCents?: unknown } }>('/products/:id', async (request, reply) => {
    const { id } = request.params;
    const { name, priceCents } = request.body ?? {};
    if (!ID.test(id)) return problem(reply, 400, 'Product ids look like p123.');
    if (typeof name !== 'string' || name.length === 0 || name.length > 200) return problem(reply, 400, '`name` must be 1–200 characters.');
    if (typeof priceCents !== 'number' || !Number.isInteger(priceCents) || priceCents < 0) return problem(reply, 400, '`priceCents` must be a whole number ≥ 0.');
    try {
      if ((await load(id)) === null) return problem(reply, 404, `No product ${id}.`);
      const product: Product = { id, name, priceCents };
      // The database first; the caches (every instance's, through the bus) only once it took the write.
      await caches.products.set(id, product);
      return product;
    } catch {
      reply.header('retry-after', '1');
      return problem(reply, 503, 'The update did not reach the database; nothing was changed in the cache.');
    }
  });

  app.post<{ Params: { id: string } }>('/products/:id/views', async (request, reply) => {
    const { id } = request.params;
    if (!ID.test(id)) return problem(reply, 400, 'Product ids look like p123.');
    try {
      return { id, views: await counter.record(id) };
    } catch {
      reply.header('retry-after', '1');
      return problem(reply, 503, 'Too many views waiting to be saved; retry shortly.');
    }
  });
  return app;
}

function problem(reply: { code(status: number): { type(contentType: string): { send(body: string): unknown } } }, status: number, detail: string): unknown {
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problemDetails(status, detail)));
}
