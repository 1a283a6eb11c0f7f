import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import type { Clock } from '@breakwater/core';
import { createHealth, redisCheck, type Health } from '@breakwater/health';
import { createMetrics } from '@breakwater/metrics';
import { createCatalogApp } from './app.ts';
import { createCatalogCaches, type CatalogCaches } from './caches.ts';
import type { CatalogConfig } from './config.ts';
import { CatalogDatabase } from './database.ts';
import { ViewCounter } from './view-counter.ts';

export interface CatalogService {
  readonly app: FastifyInstance;
  readonly db: CatalogDatabase;
  readonly caches: CatalogCaches;
  readonly counter: ViewCounter;
  readonly health: Health;
  readonly registry: Registry;
  /** Closed in order by graceful shutdown, after the server has drained. */
  readonly resources: readonly { readonly name: string; close(): Promise<void> | void }[];
}

/** `clock` is for tests (cache freshness under manual time); the system clock otherwise. */
export async function createCatalogService(config: Omit<CatalogConfig, 'port'> & { readonly clock?: Clock }): Promise<CatalogService> {
  const db = new CatalogDatabase(config.dbPath);
  const caches = createCatalogCaches(db, config.redisUrl, config.instance, config.clock);
  const counter = new ViewCounter(db, caches.views, config.instance);
  const registry = new Registry();
  const metrics = createMetrics({ registry });
  const health = createHealth();
  metrics.bindCache(caches.products);
  metrics.bindCache(caches.views);
  metrics.bindHealth(health);
  // Neither makes the instance unready: reads are served from the caches (stale if need be)
  // while the database is slow, and from L1 + the database while Redis is away.
  health.register('database', ({ signal }) => db.product('p1', signal).then(() => true), { critical: false, timeoutMs: 300 });
  if (caches.redis !== undefined) health.register('redis', redisCheck(caches.redis), { critical: false });
  health.markStarted();
  const app = await createCatalogApp({ db, caches, counter, health, metrics, registry });
  return {
    app,
    db,
    caches,
    counter,
    health,
    registry,
    resources: [
      { name: 'caches', close: () => caches.close() },
      { name: 'database', close: () => db.close() },
    ],
  };
}
