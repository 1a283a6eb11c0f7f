// One service process of the soak: `node service-child.ts payments|catalog`, configured by the
// environment (PORT, REDIS_URL, BANK_URL, DB_PATH, INSTANCE_ID, REPORT_FILE). It prints
// `ready <port>` once listening; on SIGTERM it shuts down gracefully, writes its report
// (unhandled rejections, what it accepted) to REPORT_FILE and must then exit on its own.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { gracefulShutdown } from '@breakwater/health';
import { createPaymentsService } from '../../examples/payments-express/src/service.ts';
import { createCatalogService } from '../../examples/catalog-fastify/src/service.ts';

const problems = { unhandledRejections: 0, uncaughtExceptions: 0 };
process.on('unhandledRejection', (reason) => {
  problems.unhandledRejections++;
  console.error('unhandled rejection', reason);
});
process.on('uncaughtException', (error) => {
  problems.uncaughtExceptions++;
  console.error('uncaught exception', error);
});

const kind = process.argv[2];
const env = process.env;
const port = Number(env.PORT);
let accepted = (): number => 0;

let server: import('node:http').Server;
let resources: readonly { name: string; close(): Promise<void> | void }[];
let health: import('@breakwater/health').Health;
if (kind === 'payments') {
  const service = createPaymentsService({ port, bankUrl: env.BANK_URL!, redisUrl: env.REDIS_URL, ratePerSecond: Number(env.RATE_LIMIT_PER_SECOND ?? 15) });
  server = createServer(service.app);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  ({ resources, health } = service);
} else if (kind === 'catalog') {
  const service = await createCatalogService({ dbPath: env.DB_PATH!, redisUrl: env.REDIS_URL, instance: env.INSTANCE_ID! });
  await service.app.listen({ port, host: '127.0.0.1' });
  server = service.app.server;
  ({ resources, health } = service);
  accepted = () => service.counter.accepted;
} else {
  throw new Error(`usage: service-child.ts payments|catalog (got ${kind})`);
}

gracefulShutdown({
  servers: [server],
  health,
  resources,
  readinessDelayMs: Number(env.READINESS_DELAY_MS ?? 500),
  exit: (code) => {
    // The real test of "nothing leaked": with every resource closed, the process must end on its
    // own. The report is written now; if the process is still alive 2 s later, what keeps it
    // alive is added to the report and the process is ended.
    const report = { kind, instance: env.INSTANCE_ID, exitCode: code, accepted: accepted(), handles: [] as string[], ...problems };
    writeFileSync(env.REPORT_FILE!, JSON.stringify(report));
    process.exitCode = code;
    setTimeout(() => {
      report.handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles()
        .map(describeHandle)
        .filter((handle): handle is string => handle !== undefined);
      writeFileSync(env.REPORT_FILE!, JSON.stringify(report));
      process.exit(code);
    }, 2_000).unref();
  },
});
console.log(`ready ${port}`);

/** A handle that would keep the process alive, described; undefined for stdio and this very timer. */
function describeHandle(handle: unknown): string | undefined {
  if (handle === process.stdout || handle === process.stderr || handle === process.stdin) return undefined;
  const socket = handle as { remotePort?: number; localPort?: number; constructor?: { name?: string }; hasRef?: () => boolean };
  if (typeof socket.hasRef === 'function' && !socket.hasRef()) return undefined;
  const name = socket.constructor?.name ?? typeof handle;
  if (name === 'Socket' && socket.remotePort !== undefined) return `Socket to port ${socket.remotePort}`;
  if (name === 'Server') return `Server on port ${(handle as { address(): { port?: number } | null }).address()?.port}`;
  return name;
}
