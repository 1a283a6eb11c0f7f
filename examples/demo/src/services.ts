import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeBank, type FakeBank } from '../../payments-express/src/fake-bank.ts';
import { createPaymentsService, type PaymentsService } from '../../payments-express/src/service.ts';
import { createCatalogService, type CatalogService } from '../../catalog-fastify/src/service.ts';

export interface RunningPayments {
  readonly url: string;
  readonly service: PaymentsService;
}

export interface RunningCatalog {
  readonly url: string;
  readonly service: CatalogService;
}

export interface DemoServices {
  readonly bank: FakeBank;
  readonly payments: readonly RunningPayments[];
  readonly catalogs: readonly RunningCatalog[];
  /**
   * Stops taking requests, closes every resource (the catalogs' write-behind flushes here) and
   * reports what the database holds once flushed, read before it closes.
   */
  stop(): Promise<{ readonly viewsPersisted: number }>;
}

/**
 * The example services, in this process: one payments and one catalog instance on memory
 * stores, or two of each sharing Redis (and one SQLite file) when `redisUrl` is given.
 */
export async function startServices(options: { redisUrl?: string; paymentsRatePerSecond: number }): Promise<DemoServices> {
  const instances = options.redisUrl === undefined ? 1 : 2;
  const bank = await startFakeBank();
  const dir = mkdtempSync(join(tmpdir(), 'breakwater-demo-'));
  const payments: RunningPayments[] = [];
  const servers: Server[] = [];
  for (let i = 0; i < instances; i++) {
    const service = createPaymentsService({ port: 0, bankUrl: bank.url, redisUrl: options.redisUrl, ratePerSecond: options.paymentsRatePerSecond });
    const server = createServer(service.app);
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    payments.push({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, service });
  }
  const catalogs: RunningCatalog[] = [];
  for (let i = 0; i < instances; i++) {
    const dbPath = instances === 1 ? ':memory:' : join(dir, 'catalog.db');
    const service = await createCatalogService({ dbPath, redisUrl: options.redisUrl, instance: `demo-${i + 1}` });
    const url = await service.app.listen({ port: 0, host: '127.0.0.1' });
    catalogs.push({ url, service });
  }
  return {
    bank,
    payments,
    catalogs,
    async stop() {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      for (const { service } of payments) for (const resource of service.resources) await resource.close();
      for (const { service } of catalogs) {
        await service.app.close();
        await service.caches.close();
      }
      // Instances sharing one database file count it once.
      const databases = instances === 1 ? catalogs : catalogs.slice(0, 1);
      const viewsPersisted = databases.reduce((sum, { service }) => sum + service.db.totalViews(), 0);
      for (const { service } of catalogs) service.db.close();
      await bank.close();
      rmSync(dir, { recursive: true, force: true });
      return { viewsPersisted };
    },
  };
}
