import type { FastifyReply, FastifyRequest } from 'fastify';
import { deferred, Inbox } from 'breakwater-test-utils';
import { breakwaterIdempotency } from '@breakwater/fastify';
import type { Gate, ScenarioApp, ScenarioSpec } from '../../idempotency/test/http-scenarios.ts';
import { app as fastifyApp, listen } from './helpers.ts';

/** The scenario routes (see StartScenarioApp) on Fastify 5. */
export async function startFastify(spec: ScenarioSpec): Promise<ScenarioApp> {
  const calls: Record<string, number> = {};
  const count = (name: string): number => (calls[name] = (calls[name] ?? 0) + 1);
  const gates = new Inbox<Gate>();
  const app = fastifyApp();
  await app.register(breakwaterIdempotency, {
    idempotency: spec.idempotency,
    required: spec.required,
    scope: spec.scoped ? (request) => request.headers['x-tenant'] as string | undefined : undefined,
    storeServerErrors: spec.storeServerErrors,
    maxBodyBytes: spec.maxBodyBytes,
  });
  const order = (request: FastifyRequest, reply: FastifyReply, status: number) => {
    const n = count('orders');
    reply.headers({ 'x-order-id': String(n), 'cache-control': 'no-store', 'set-cookie': `session=${n}` });
    return reply.code(status).send({ order: n, received: request.body });
  };
  app.post('/orders', (request, reply) => order(request, reply, 201));
  app.patch('/orders/:id', (request, reply) => order(request, reply, 200));
  app.get('/orders', async () => ({ list: count('list') }));
  app.post('/gated', async (_request, reply) => {
    const n = count('gated');
    const gate = deferred<number>();
    gates.push({ release: (status = 200) => gate.resolve(status) });
    return reply.code(await gate.promise).send({ gated: n });
  });
  app.post('/fail', async (request, reply) => {
    if (count('fail') === 1) return reply.code(500).send({ error: 'boom' });
    return reply.code(201).send({ order: calls['fail'], received: request.body });
  });
  app.post('/throws', async (_request, reply) => {
    if (count('throws') === 1) throw new Error('handler failed');
    return reply.code(201).send({ ok: true });
  });
  app.post('/status', async (request, reply) => {
    count('status');
    const code = Number((request.query as Record<string, string>)['code']);
    return reply.code(code).send({ status: code });
  });
  app.post('/text', async (request, reply) => {
    count('text');
    return reply.code(201).type('text/plain; charset=utf-8').send(`got ${String(request.body).length}`);
  });
  app.post('/big', async (request, reply) => {
    count('big');
    return reply.type('application/octet-stream').send(Buffer.alloc(Number((request.query as Record<string, string>)['size']), 'x'));
  });
  const url = await listen(app);
  return { url, calls, gates, close: () => app.close() };
}
