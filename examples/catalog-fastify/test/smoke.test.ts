import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock, startRedis, type RedisServer } from 'breakwater-test-utils';
import { createCatalogService, type CatalogService } from '../src/service.ts';

const cleanups: (() => Promise<void> | void)[] = [];
let instances = 0;
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function catalog(options: { dbPath?: string; redisUrl?: string; clock?: ReturnType<typeof manualClock>['clock'] } = {}): Promise<{ url: string; service: CatalogService }> {
  const service = await createCatalogService({ dbPath: options.dbPath ?? ':memory:', redisUrl: options.redisUrl, instance: `test-${++instances}`, clock: options.clock as never });
  const url = await service.app.listen({ port: 0, host: '127.0.0.1' });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await service.app.close();
    for (const resource of service.resources) await resource.close();
  };
  cleanups.push(close);
  return { url, service };
}

const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> });
const put = (url: string, body: object) => fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('catalog-fastify', () => {
  it('reads through the cache: 200 concurrent misses of one product make one database read', async () => {
    const { url, service } = await catalog();
    const answers = await Promise.all(Array.from({ length: 200 }, () => fetch(`${url}/products/p7`).then(json)));
    expect(answers.every((answer) => answer.status === 200 && answer.body.name === 'Product 7')).toBe(true);
    expect(service.db.reads).toBe(1);
    expect((await fetch(`${url}/products/p999999`)).status).toBe(404);
    expect((await fetch(`${url}/products/nope`)).status).toBe(400);
  });

  it('writes through: the database first; a refused write leaves no cached value', async () => {
    const { url, service } = await catalog();
    expect((await put(`${url}/products/p1`, { name: 'Kettle', priceCents: 3_999 })).status).toBe(200);
    expect((await fetch(`${url}/products/p1`).then(json)).body).toEqual({ id: 'p1', name: 'Kettle', priceCents: 3_999 });
    service.db.setFaults({ down: true });
    expect((await put(`${url}/products/p1`, { name: 'Toaster', priceCents: 1 })).status).toBe(503);
    service.db.setFaults({});
    expect((await fetch(`${url}/products/p1`).then(json)).body.name).toBe('Kettle');
  });

  it('serves the last known product while the database is down (stale-if-error), 503 without one', async () => {
    const time = manualClock();
    const { url, service } = await catalog({ clock: time.clock });
    expect((await fetch(`${url}/products/p3`)).status).toBe(200);
    time.advance(60_000); // past ttl and stale-while-revalidate, inside grace
    service.db.setFaults({ down: true });
    const stale = await fetch(`${url}/products/p3`).then(json);
    expect(stale).toMatchObject({ status: 200, body: { id: 'p3', name: 'Product 3' } });
    const never = await fetch(`${url}/products/p4`);
    expect(never.status).toBe(503);
    expect(never.headers.get('retry-after')).toBe('1');
  });

  it('loses no view: every accepted view is in the database once the service closes', async () => {
    const { url, service } = await catalog();
    const answers = await Promise.all(Array.from({ length: 500 }, (_, i) => fetch(`${url}/products/p${1 + (i % 10)}/views`, { method: 'POST' })));
    expect(answers.every((response) => response.status === 200)).toBe(true);
    await service.app.close();
    await service.caches.close();
    expect(service.counter.accepted).toBe(500);
    expect(service.db.totalViews()).toBe(500);
    expect(service.db.views('p1')).toBe(50);
  });

  describe('two instances sharing Redis and a database file', () => {
    let redis: RedisServer | undefined;
    afterEach(async () => {
      await redis?.stop();
    });

    it('an update on one instance evicts the product from the other instance’s L1', async () => {
      redis = await startRedis();
      const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const dbPath = join(dir, 'catalog.db');
      const a = await catalog({ dbPath, redisUrl: redis.url });
      const b = await catalog({ dbPath, redisUrl: redis.url });
      expect((await fetch(`${b.url}/products/p5`).then(json)).body.name).toBe('Product 5');
      expect((await put(`${a.url}/products/p5`, { name: 'Lamp', priceCents: 2_500 })).status).toBe(200);
      // The bus delivers asynchronously: poll briefly (bounded) until B's L1 entry is gone.
      let name: unknown;
      for (let i = 0; i < 100 && name !== 'Lamp'; i++) {
        name = (await fetch(`${b.url}/products/p5`).then(json)).body.name;
        if (name !== 'Lamp') await new Promise((resolve) => setImmediate(resolve));
      }
      expect(name).toBe('Lamp');
    });
  });
});
