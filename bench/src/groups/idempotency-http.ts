// What idempotency keys add to an HTTP request (memory store): a first request (claim, run,
// capture, store) and a replay (one lookup, the stored response written back), against the same
// route without the middleware. Express 5 and Fastify 5, each on a loopback server started in
// setup; requests are sequential over one keep-alive connection, so each case is a round trip.
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { idempotency, memoryStore } from '@breakwater/idempotency';
import { idempotencyKeys } from '@breakwater/express';
import { breakwaterIdempotency } from '@breakwater/fastify';
import type { BenchGroup } from '../group.ts';
import { loopbackClient, type LoopbackServer } from '../loopback.ts';

const BODY = JSON.stringify({ amount: 1250, currency: 'eur', customer: 'cus_123', items: [{ sku: 'A-1', qty: 2 }] });
const ANSWER = { id: 'ord_1', status: 'created', amount: 1250 };

const clients: LoopbackServer[] = [];
let fastifyApp: FastifyInstance | undefined;

/** One POST; a status other than 201 fails the run rather than timing an error path. */
async function post(client: LoopbackServer, path: string, key: string | undefined): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) headers['idempotency-key'] = key;
  const status = await client.send(path, { method: 'POST', headers, body: BODY });
  if (status !== 201) throw new Error(`unexpected status ${status}`);
  return status;
}

async function startExpress(): Promise<LoopbackServer> {
  const app = express();
  app.use(express.json());
  const guard = idempotencyKeys({ idempotency: idempotency({ store: memoryStore() }) });
  app.post('/bare', (_req, res) => void res.status(201).json(ANSWER));
  app.post('/guarded', guard, (_req, res) => void res.status(201).json(ANSWER));
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const client = loopbackClient(server);
  clients.push(client);
  return client;
}

async function startFastify(): Promise<LoopbackServer> {
  const app = Fastify();
  app.post('/bare', async (_request, reply) => reply.code(201).send(ANSWER));
  await app.register(async (guarded) => {
    await guarded.register(breakwaterIdempotency, { idempotency: idempotency({ store: memoryStore() }) });
    guarded.post('/guarded', async (_request, reply) => reply.code(201).send(ANSWER));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  fastifyApp = app;
  const client = loopbackClient(app.server);
  clients.push(client);
  return client;
}

export const group: BenchGroup = {
  title: 'Idempotency keys over HTTP per request (memory store, loopback keep-alive, sequential)',
  baseline: 'express: bare route',
  comparisons: [
    ['express: first request with a key', 'express: bare route'],
    ['express: replay', 'express: bare route'],
    ['fastify: first request with a key', 'fastify: bare route'],
    ['fastify: replay', 'fastify: bare route'],
  ],
  async setup() {
    const onExpress = await startExpress();
    const onFastify = await startFastify();
    let fresh = 0;
    // Stored once, replayed on every call.
    await post(onExpress, '/guarded', 'replayed-key');
    await post(onFastify, '/guarded', 'replayed-key');
    return {
      'express: bare route': () => post(onExpress, '/bare', undefined),
      'express: first request with a key': () => post(onExpress, '/guarded', `k-${++fresh}`),
      'express: replay': () => post(onExpress, '/guarded', 'replayed-key'),
      'fastify: bare route': () => post(onFastify, '/bare', undefined),
      'fastify: first request with a key': () => post(onFastify, '/guarded', `k-${++fresh}`),
      'fastify: replay': () => post(onFastify, '/guarded', 'replayed-key'),
    };
  },
  async teardown() {
    // A client closes its server too (already closed ones are skipped), Fastify's included.
    await Promise.all(clients.map((client) => client.close()));
    await fastifyApp?.close();
  },
};
