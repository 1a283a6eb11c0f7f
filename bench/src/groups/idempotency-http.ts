// What idempotency keys add to an HTTP request (memory store): a first request (claim, run,
// capture, store) and a replay (one lookup, the stored response written back), against the same
// route without the middleware. Express 5 and Fastify 5, each on a loopback server started in
// setup; requests are sequential over one keep-alive connection, so each case is a round trip.
import { Agent, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { idempotency, memoryStore } from '@breakwater/idempotency';
import { idempotencyKeys } from '@breakwater/express';
import { breakwaterIdempotency } from '@breakwater/fastify';
import type { BenchGroup } from '../group.ts';

const BODY = JSON.stringify({ amount: 1250, currency: 'eur', customer: 'cus_123', items: [{ sku: 'A-1', qty: 2 }] });
const ANSWER = { id: 'ord_1', status: 'created', amount: 1250 };

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
let expressServer: Server | undefined;
let fastifyApp: FastifyInstance | undefined;

/** One POST on the shared keep-alive connection; resolves when the whole response was read. */
function post(url: string, key: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(BODY)) };
    if (key !== undefined) headers['idempotency-key'] = key;
    const req = request(url, { method: 'POST', agent, headers }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => (res.statusCode === 201 ? resolve(201) : reject(new Error(`unexpected status ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(BODY);
  });
}

async function startExpress(): Promise<string> {
  const app = express();
  app.use(express.json());
  const guard = idempotencyKeys({ idempotency: idempotency({ store: memoryStore() }) });
  app.post('/bare', (_req, res) => void res.status(201).json(ANSWER));
  app.post('/guarded', guard, (_req, res) => void res.status(201).json(ANSWER));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  expressServer = server;
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function startFastify(): Promise<string> {
  const app = Fastify();
  app.post('/bare', async (_request, reply) => reply.code(201).send(ANSWER));
  await app.register(async (guarded) => {
    await guarded.register(breakwaterIdempotency, { idempotency: idempotency({ store: memoryStore() }) });
    guarded.post('/guarded', async (_request, reply) => reply.code(201).send(ANSWER));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  fastifyApp = app;
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
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
    const expressUrl = await startExpress();
    const fastifyUrl = await startFastify();
    let fresh = 0;
    // Stored once, replayed on every call.
    await post(`${expressUrl}/guarded`, 'replayed-key');
    await post(`${fastifyUrl}/guarded`, 'replayed-key');
    return {
      'express: bare route': () => post(`${expressUrl}/bare`, undefined),
      'express: first request with a key': () => post(`${expressUrl}/guarded`, `k-${++fresh}`),
      'express: replay': () => post(`${expressUrl}/guarded`, 'replayed-key'),
      'fastify: bare route': () => post(`${fastifyUrl}/bare`, undefined),
      'fastify: first request with a key': () => post(`${fastifyUrl}/guarded`, `k-${++fresh}`),
      'fastify: replay': () => post(`${fastifyUrl}/guarded`, 'replayed-key'),
    };
  },
  async teardown() {
    agent.destroy();
    expressServer?.closeAllConnections();
    await new Promise<void>((resolve) => (expressServer ? expressServer.close(() => resolve()) : resolve()));
    await fastifyApp?.close();
  },
};
