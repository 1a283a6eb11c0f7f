// What rate limiting adds to an HTTP request, in process over loopback: one sequential GET at a
// time on a keep-alive socket against a server started in setup. Per framework: the bare route,
// the route behind Breakwater's limiter (memory store, GCRA, draft RateLimit headers), and behind
// the limiter users would pick instead: express-rate-limit 8 (memory store, fixed window,
// `standardHeaders: 'draft-8'` so it sends the same two draft headers) and @fastify/rate-limit 11
// (its LRU store, fixed window, its default `x-ratelimit-*` headers; it has no current draft mode).
// Every limit is far above what a run sends: only admitted requests are measured, and a case that
// answers anything but 200 fails the run.
import { createServer } from 'node:http';
import express, { type Express } from 'express';
import { rateLimit as expressRateLimit } from 'express-rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import { rateLimit } from '@breakwater/rate-limit';
import { rateLimiting } from '@breakwater/express';
import { breakwaterRateLimit } from '@breakwater/fastify';
import type { BenchGroup } from '../group.ts';
import { listenLoopback, loopbackClient, type LoopbackServer } from '../loopback.ts';

const QUOTA = 1_000_000_000;
const WINDOW_MS = 60_000;

const servers: LoopbackServer[] = [];
const fastifies: FastifyInstance[] = [];

const limiter = () => rateLimit({ limits: { quota: QUOTA, windowMs: WINDOW_MS, name: 'per-minute' } });

async function expressApp(mount: (app: Express) => void): Promise<LoopbackServer> {
  const app = express();
  mount(app);
  app.get('/', (_req, res) => void res.json({ ok: true }));
  const server = await listenLoopback(createServer(app));
  servers.push(server);
  return server;
}

async function fastifyApp(mount: (app: FastifyInstance) => PromiseLike<unknown> | void): Promise<LoopbackServer> {
  const app = Fastify();
  await mount(app);
  app.get('/', async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  fastifies.push(app);
  return loopbackClient(app.server);
}

async function ok(server: LoopbackServer): Promise<void> {
  const status = await server.send('/');
  if (status !== 200) throw new Error(`the bench measures admitted requests only, got ${status}`);
}

export const group: BenchGroup = {
  title: 'Rate limiting per HTTP request (in process, loopback, keep-alive, one request at a time, memory stores)',
  baseline: 'express: bare route',
  comparisons: [
    ['express: breakwater rateLimiting()', 'express: express-rate-limit'],
    ['fastify: breakwaterRateLimit', 'fastify: @fastify/rate-limit'],
    ['express: breakwater rateLimiting()', 'express: bare route'],
    ['fastify: breakwaterRateLimit', 'fastify: bare route'],
  ],
  async setup() {
    const cases: Record<string, LoopbackServer> = {
      'express: bare route': await expressApp(() => {}),
      'express: breakwater rateLimiting()': await expressApp((app) => app.use(rateLimiting({ limiter: limiter() }))),
      'express: express-rate-limit': await expressApp((app) =>
        app.use(expressRateLimit({ windowMs: WINDOW_MS, limit: QUOTA, standardHeaders: 'draft-8', legacyHeaders: false })),
      ),
      'fastify: bare route': await fastifyApp(() => {}),
      'fastify: breakwaterRateLimit': await fastifyApp((app) => app.register(breakwaterRateLimit, { limiter: limiter() })),
      'fastify: @fastify/rate-limit': await fastifyApp((app) => app.register(fastifyRateLimit, { max: QUOTA, timeWindow: WINDOW_MS })),
    };
    // Each case answers 200 once before it is timed, so a broken setup fails here, not mid-run.
    for (const server of Object.values(cases)) await ok(server);
    return Object.fromEntries(Object.entries(cases).map(([name, server]) => [name, () => ok(server)]));
  },
  async teardown() {
    await Promise.all(servers.splice(0).map((server) => server.close()));
    await Promise.all(fastifies.splice(0).map((app) => app.close()));
  },
};
