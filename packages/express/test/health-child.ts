/**
 * A real Express app armed with gracefulShutdown, spawned by health-shutdown.test.ts as
 * `node --conditions=@breakwater/source health-child.ts`. It prints `listening <port>`, every
 * shutdown phase (`phase <name> [resource]`) and `closed <resource>` on stdout, one per line.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { healthRoutes } from '@breakwater/express';
import { createHealth, gracefulShutdown } from '@breakwater/health';

const log = (line: string): void => void process.stdout.write(`${line}\n`);
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const health = createHealth();
health.register('db', () => true);

const app = express();
app.use(healthRoutes(health));
app.get('/work', (req, res) => {
  const ms = Number(req.query['ms'] ?? 0);
  setTimeout(() => res.json({ ok: true }), ms);
});

const server = app.listen(0, '127.0.0.1', () => {
  health.markStarted();
  log(`listening ${(server.address() as AddressInfo).port}`);
});
// Longer than the test: a pooled socket is never timed out just as the client reuses it.
server.keepAliveTimeout = 30_000;

const readinessDelayMs = Number(process.env['READINESS_DELAY_MS'] ?? 200);
const shutdown = gracefulShutdown({
  servers: [server],
  health,
  readinessDelayMs,
  drainTimeoutMs: 3_000,
  deadlineMs: readinessDelayMs + 6_000,
  // Registered in creation order: the write-behind cache writes to Redis, so it must close first.
  resources: [
    {
      name: 'redis',
      close: async () => {
        await delay(20);
        log('closed redis');
      },
    },
    {
      name: 'cache',
      close: async () => {
        await delay(20);
        log('closed cache');
      },
    },
  ],
});
shutdown.onShutdown((event) => log(`phase ${event.phase}${event.resource === undefined ? '' : ` ${event.resource}`}`));
