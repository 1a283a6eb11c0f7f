import { Redis } from 'ioredis';
import type { Clock } from '@breakwater/core';
import { createCache, type Cache } from '@breakwater/cache';
import { redisInvalidationBus, redisLoaderLock, redisTier } from '@breakwater/cache/redis';
import type { CatalogDatabase, Product } from './database.ts';

export interface CatalogCaches {
  /** Products: cache-aside reads, write-through updates; `null` caches "no such product". */
  readonly products: Cache<Product | null>;
  /** View counts: write-behind, so a page view costs no database write. */
  readonly views: Cache<number>;
  readonly redis: Redis | undefined;
  close(): Promise<void>;
}

/**
 * Products stay fresh for 5 s; after that a read refreshes them in the background while serving
 * the old value (stale-while-revalidate, 30 s), and when the database is slow or down the last
 * value is served for up to 10 minutes (grace) instead of an error. A load gets 250 ms.
 * Concurrent misses of one product make one database read per instance (one across instances
 * with Redis: a loader lock).
 */
export function createCatalogCaches(db: CatalogDatabase, redisUrl: string | undefined, instance: string, clock?: Clock): CatalogCaches {
  const redis = redisUrl === undefined ? undefined : new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  redis?.on('error', () => {}); // reported by the L2's events, metrics and the health check
  const shared =
    redis === undefined
      ? {}
      : { l2: redisTier(redis, { prefix: 'catalog:' }), bus: redisInvalidationBus(redis, { prefix: 'catalog:' }), lock: redisLoaderLock(redis, { prefix: 'catalog:' }) };
  const time = clock === undefined ? {} : { clock };
  const products = createCache<Product | null>({
    name: 'products',
    namespace: 'products',
    l1: { max: 5_000 },
    ttl: 5_000,
    staleWhileRevalidate: 30_000,
    grace: 600_000,
    graceBackoff: 1_000,
    timeout: 250,
    writeThrough: {
      write: (_id, product) => {
        if (product !== null) db.updateProduct(product);
      },
    },
    ...shared,
    ...time,
  });
  const views = createCache<number>({
    name: 'product-views',
    namespace: 'views',
    l1: { max: 100_000 },
    writeBehind: { writeMany: (entries) => db.writeViews(instance, entries), batchSize: 200, flushInterval: 200, maxQueue: 50_000 },
    ...time,
  });
  return {
    products,
    views,
    redis,
    async close() {
      // Write-behind first: close() drains every accepted view count into the database.
      await views.close();
      await products.close();
      await shared.bus?.close();
      if (redis !== undefined) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
