/**
 * A real Fastify app armed with gracefulShutdown, spawned by health-shutdown.test.ts as
 * `node --conditions=@breakwater/source health-child.ts`. It prints `listening <port>`, every
 * shutdown phase (`phase <name> [resource]`) and `closed <resource>` on stdout, one per line.
 */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { breakwaterHealth } from '@breakwater/fastify';
import { createHealth, gracefulShutdown } from '@breakwater/health';

const log = (line: string): void => void process.stdout.write(`${line}\n`);
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const health = createHealth();
health.register('db', () => true);

// A keep-alive timeout longer than the test: a pooled socket is never timed out just as the client reuses it.
const app = Fastify({ keepAliveTimeout: 30_000 });
app.addHook('onClose', async () => log('closed fastify'));
await app.register(breakwaterHealth, { health });
app.get('/work', async (request) => {
  await delay(Number((request.query as Record<string, string>)['ms'] ?? 0));
  return { ok: true };
});
await app.listen({ port: 0, host: '127.0.0.1' });
health.markStarted();

const readinessDelayMs = Number(process.env['READINESS_DELAY_MS'] ?? 200);
const shutdown = gracefulShutdown({
  servers: [app.server],
  health,
  readinessDelayMs,
  drainTimeoutMs: 3_000,
  deadlineMs: readinessDelayMs + 6_000,
  // The app first: closed last, after the server drained, so its onClose hooks run with nothing in flight.
  resources: [
    { name: 'fastify', close: () => app.close() },
    {
      name: 'redis',
      close: async () => {
        await delay(20);
        log('closed redis');
      },
    },
  ],
});
shutdown.onShutdown((event) => log(`phase ${event.phase}${event.resource === undefined ? '' : ` ${event.resource}`}`));
log(`listening ${(app.server.address() as AddressInfo).port}`);
