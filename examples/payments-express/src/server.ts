// `pnpm start`: the payments service on PORT (3000), with its own fake bank unless BANK_URL is
// set, in-process stores unless REDIS_URL is set. SIGTERM/SIGINT shut it down gracefully.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gracefulShutdown } from '@breakwater/health';
import { readConfig } from './config.ts';
import { startFakeBank } from './fake-bank.ts';
import { createPaymentsService } from './service.ts';

const config = readConfig();
const bank = config.bankUrl === undefined ? await startFakeBank() : undefined;
const service = createPaymentsService({ ...config, bankUrl: config.bankUrl ?? bank!.url });
const server = createServer(service.app);
await new Promise<void>((resolve) => server.listen(config.port, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

gracefulShutdown({
  servers: [server],
  health: service.health,
  resources: [...service.resources, ...(bank === undefined ? [] : [{ name: 'fake-bank', close: () => bank.close() }])],
});
console.log(
  `payments listening on http://127.0.0.1:${port} (stores: ${service.stores.kind}; bank: ${bank === undefined ? config.bankUrl : `embedded at ${bank.url}`})`,
);
