// What the HTTP metrics middleware adds to a request served over loopback, Express and Fastify,
// each against the same framework's bare route in the same process.
import { createServer } from 'node:http';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { httpMetrics } from '@breakwater/express';
import { breakwaterHttpMetrics } from '@breakwater/fastify';
import { createMetrics } from '@breakwater/metrics';
import type { BenchGroup } from '../group.ts';
import { listenLoopback, loopbackClient, type LoopbackServer } from '../loopback.ts';

const servers: LoopbackServer[] = [];
const fastifies: FastifyInstance[] = [];

async function expressApp(withMetrics: boolean): Promise<LoopbackServer> {
  const app = express();
  if (withMetrics) app.use(httpMetrics({ observe: createMetrics({ registry: new Registry() }).httpObserver() }));
  app.get('/items/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  const server = await listenLoopback(createServer(app));
  servers.push(server);
  return server;
}

async function fastifyApp(withMetrics: boolean): Promise<LoopbackServer> {
  const app = Fastify();
  if (withMetrics) await app.register(breakwaterHttpMetrics, { observe: createMetrics({ registry: new Registry() }).httpObserver() });
  app.get('/items/:id', async (request) => ({ id: (request.params as { id: string }).id }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  fastifies.push(app);
  return loopbackClient(app.server);
}

export const group: BenchGroup = {
  title: 'HTTP metrics middleware per request (loopback, keep-alive, one request at a time)',
  baseline: 'express: bare route',
  comparisons: [
    ['express: httpMetrics', 'express: bare route'],
    ['fastify: breakwaterHttpMetrics', 'fastify: bare route'],
  ],
  async setup() {
    const [expressBare, expressMetrics, fastifyBare, fastifyMetrics] = await Promise.all([
      expressApp(false),
      expressApp(true),
      fastifyApp(false),
      fastifyApp(true),
    ]);
    let n = 0;
    const path = () => `/items/${n++ % 1000}`;
    return {
      'express: bare route': () => expressBare.send(path()),
      'express: httpMetrics': () => expressMetrics.send(path()),
      'fastify: bare route': () => fastifyBare.send(path()),
      'fastify: breakwaterHttpMetrics': () => fastifyMetrics.send(path()),
    };
  },
  async teardown() {
    await Promise.all(servers.map((server) => server.close()));
    await Promise.all(fastifies.map((app) => app.close()));
  },
};
