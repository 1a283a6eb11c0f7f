// `pnpm start`: the catalog on PORT (3001) over SQLite (DB_PATH, in memory by default), with a
// Redis L2 when REDIS_URL is set. SIGTERM/SIGINT drain requests, flush the view counts, exit 0.
import { gracefulShutdown } from '@breakwater/health';
import { readConfig } from './config.ts';
import { createCatalogService } from './service.ts';

const config = readConfig();
const service = await createCatalogService(config);
const address = await service.app.listen({ port: config.port, host: '127.0.0.1' });

gracefulShutdown({ servers: [service.app.server], health: service.health, resources: service.resources });
console.log(`catalog listening on ${address} (database: ${config.dbPath}; cache: L1${config.redisUrl === undefined ? '' : ' + Redis L2'})`);
