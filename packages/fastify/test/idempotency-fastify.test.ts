import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { INVALID_OPTION } from '@breakwater/core';
import { idempotency, memoryStore, type IdempotencyLike, type IdempotencyOutcomeEvent } from '@breakwater/idempotency';
import { breakwaterIdempotency, type IdempotencyKeysOptions } from '@breakwater/fastify';
import { send } from '../../idempotency/test/http-scenarios.ts';
import { app as fastifyApp, deferred, Inbox, listen } from './helpers.ts';

let running: FastifyInstance | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const key = (value: string): string[] => ['idempotency-key', value];

async function start(routes: (app: FastifyInstance) => void, options: Partial<IdempotencyKeysOptions> = {}) {
  const keys = idempotency({ store: memoryStore() });
  onTestFinished(() => keys.close());
  const outcomes = new Inbox<IdempotencyOutcomeEvent>();
  keys.onOutcome((event) => outcomes.push(event));
  const app = fastifyApp();
  running = app;
  await app.register(breakwaterIdempotency, { idempotency: keys, ...options });
  routes(app);
  return { url: await listen(app), outcomes };
}

describe('breakwaterIdempotency (Fastify specifics)', () => {
  it('fails registration on invalid options', async () => {
    const app = fastifyApp();
    running = app;
    const error = await app.register(breakwaterIdempotency, { idempotency: idempotency({ store: memoryStore() }), maxBodyBytes: -1 }).ready().then(
      () => undefined,
      (caught: unknown) => caught as Error & { code?: string },
    );
    expect(error?.message).toBe('Expected `maxBodyBytes` to be an integer from 0 to 536870912, got `-1` (number)');
    expect(error?.code).toBe(INVALID_OPTION);
  });

  it('sends a streamed reply but does not store it: the key is released and a retry runs', async () => {
    let runs = 0;
    const { url, outcomes } = await start((app) =>
      app.post('/stream', async (_request, reply) => {
        runs++;
        return reply.type('text/plain').send(Readable.from(['a', 'b', String(runs)]));
      }),
    );
    expect((await send(url, 'POST', '/stream', { headers: key('s'), body: '{}' })).text).toBe('ab1');
    expect(await outcomes.next()).toMatchObject({ outcome: 'released', reason: 'not-storable' });
    const retry = await send(url, 'POST', '/stream', { headers: key('s'), body: '{}' });
    expect(retry.text).toBe('ab2');
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  });

  it('releases the key of a hijacked reply (written to the raw response) once it ends', async () => {
    let runs = 0;
    const { url, outcomes } = await start((app) =>
      app.post('/raw', (_request, reply) => {
        runs++;
        reply.hijack();
        reply.raw.writeHead(200, { 'content-type': 'text/plain' }).end(`raw ${runs}`);
      }),
    );
    expect((await send(url, 'POST', '/raw', { headers: key('r'), body: '{}' })).text).toBe('raw 1');
    expect(await outcomes.next()).toMatchObject({ outcome: 'released', reason: 'not-storable' });
    expect((await send(url, 'POST', '/raw', { headers: key('r'), body: '{}' })).text).toBe('raw 2');
  });

  it('hooks only routes with a guarded method, and guards routes whose method list includes one', async () => {
    let runs = 0;
    const { url } = await start(
      (app) => {
        app.put('/put', async () => ({ run: ++runs }));
        app.route({ method: ['PUT', 'PATCH'], url: '/both', handler: async () => ({ run: ++runs }) });
      },
      { methods: ['PATCH'] },
    );
    await send(url, 'PUT', '/put', { headers: key('p'), body: '{}' });
    expect((await send(url, 'PUT', '/put', { headers: key('p'), body: '{}' })).headers['idempotent-replayed']).toBeUndefined();
    await send(url, 'PUT', '/both', { headers: key('b1'), body: '{}' });
    expect((await send(url, 'PUT', '/both', { headers: key('b1'), body: '{}' })).headers['idempotent-replayed']).toBeUndefined();
    await send(url, 'PATCH', '/both', { headers: key('b2'), body: '{}' });
    expect((await send(url, 'PATCH', '/both', { headers: key('b2'), body: '{}' })).headers['idempotent-replayed']).toBe('true');
    expect(runs).toBe(5);
  });

  it('hands what scope() throws to the error handler without running the route', async () => {
    let runs = 0;
    const { url } = await start((app) => app.post('/s', async () => ({ run: ++runs })), {
      scope: (request) => {
        if (request.headers['x-mode'] === 'throw') throw Object.assign(new Error('no principal'), { statusCode: 401 });
        return request.headers['x-tenant'] as string | undefined;
      },
    });
    expect(await send(url, 'POST', '/s', { headers: [...key('k'), 'x-mode', 'throw'], body: '{}' })).toMatchObject({ status: 401, json: { message: 'no principal' } });
    expect(runs).toBe(0);
  });

  it('runs the route\'s own preHandler hooks before the guard (route-level auth), on a replay too', async () => {
    const order: string[] = [];
    const { url } = await start(
      (app) =>
        app.post('/h', { preHandler: [async () => void order.push('route-hook-1'), async () => void order.push('route-hook-2')] }, async () => {
          order.push('handler');
          return { ok: true };
        }),
      {
        scope: () => {
          order.push('scope');
          return undefined;
        },
      },
    );
    await send(url, 'POST', '/h', { headers: key('h'), body: '{}' });
    expect((await send(url, 'POST', '/h', { headers: key('h'), body: '{}' })).headers['idempotent-replayed']).toBe('true');
    expect(order).toEqual(['route-hook-1', 'route-hook-2', 'scope', 'handler', 'route-hook-1', 'route-hook-2', 'scope']);
  });

  it('route-level auth + scope: the scope sees the principal, tenants never share a record, and 401/403 are never stored', async () => {
    let runs = 0;
    const principals = new WeakMap<object, string>();
    const { url, outcomes } = await start(
      (app) =>
        app.post(
          '/pay',
          {
            // As `preHandler: fastify.auth([...])` would: sets the principal, or answers 401/403.
            preHandler: async (request, reply) => {
              const token = request.headers['authorization'];
              if (token === undefined) return reply.code(401).send({ error: 'who are you' });
              if (token === 'Bearer banned') return reply.code(403).send({ error: 'not you' });
              principals.set(request, String(token).replace('Bearer ', ''));
              return undefined;
            },
          },
          async (request, reply) => reply.code(201).send({ run: ++runs, tenant: principals.get(request) }),
        ),
      {
        scope: (request) => {
          const principal = principals.get(request);
          if (principal === undefined) throw new Error('scope() ran before authentication');
          return principal;
        },
      },
    );
    const pay = (auth?: string) => send(url, 'POST', '/pay', { headers: auth === undefined ? key('same') : [...key('same'), 'authorization', auth], body: '{"amount":5}' });
    // Refused by the auth hook: nothing claimed, nothing stored (no outcome at all).
    expect((await pay()).status).toBe(401);
    expect((await pay('Bearer banned')).status).toBe(403);
    // The same key from two tenants: two records, each run once and replayed to its own tenant only.
    expect(await pay('Bearer tenant-a')).toMatchObject({ status: 201, json: { run: 1, tenant: 'tenant-a' } });
    expect(await pay('Bearer tenant-b')).toMatchObject({ status: 201, json: { run: 2, tenant: 'tenant-b' } });
    const replayA = await pay('Bearer tenant-a');
    expect(replayA).toMatchObject({ status: 201, json: { run: 1, tenant: 'tenant-a' } });
    expect(replayA.headers['idempotent-replayed']).toBe('true');
    expect((await pay('Bearer tenant-b')).json).toEqual({ run: 2, tenant: 'tenant-b' });
    expect(runs).toBe(2);
    expect([(await outcomes.next()).outcome, (await outcomes.next()).outcome, (await outcomes.next()).outcome, (await outcomes.next()).outcome]).toEqual(['executed', 'executed', 'replayed', 'replayed']);
  });

  it('a handler that answers 401 or 403 itself: the key is released, and a retry with credentials runs', async () => {
    let runs = 0;
    const { url, outcomes } = await start((app) =>
      app.post('/me', async (request, reply) => {
        runs++;
        const auth = request.headers['authorization'];
        if (auth === undefined) return reply.code(401).send({ error: 'login' });
        if (auth === 'Bearer nope') return reply.code(403).send({ error: 'forbidden' });
        return reply.code(201).send({ run: runs });
      }),
    );
    expect((await send(url, 'POST', '/me', { headers: key('m'), body: '{}' })).status).toBe(401);
    expect(await outcomes.next()).toMatchObject({ outcome: 'released', reason: 'not-final' });
    expect((await send(url, 'POST', '/me', { headers: [...key('m'), 'authorization', 'Bearer nope'], body: '{}' })).status).toBe(403);
    expect(await outcomes.next()).toMatchObject({ outcome: 'released', reason: 'not-final' });
    expect(await send(url, 'POST', '/me', { headers: [...key('m'), 'authorization', 'Bearer ok'], body: '{}' })).toMatchObject({ status: 201, json: { run: 3 } });
    expect((await send(url, 'POST', '/me', { headers: [...key('m'), 'authorization', 'Bearer ok'], body: '{}' })).headers['idempotent-replayed']).toBe('true');
  });

  it('stops waiting when the idempotency object closes mid-handler: close() resolves, the reply goes out unstored', async () => {
    const store = memoryStore();
    const keys = idempotency({ store });
    const outcomes = new Inbox<IdempotencyOutcomeEvent>();
    keys.onOutcome((event) => outcomes.push(event));
    const gate = deferred();
    const entered = deferred();
    let runs = 0;
    const app = fastifyApp();
    running = app;
    await app.register(breakwaterIdempotency, { idempotency: keys });
    app.post('/slow', async (_request, reply) => {
      runs++;
      entered.resolve();
      await gate.promise;
      return reply.code(201).send({ run: runs });
    });
    const url = await listen(app);
    const first = send(url, 'POST', '/slow', { headers: key('c'), body: '{}' });
    await entered.promise;
    await keys.close();
    expect((await outcomes.next()).outcome).toBe('failed');
    gate.resolve();
    expect(await first).toMatchObject({ status: 201, json: { run: 1 } });
    // Nothing was stored: a new object on the same store runs the key again.
    const next = idempotency({ store });
    onTestFinished(() => next.close());
    expect(await next.run('c', 'any', async () => 'ran')).toEqual({ value: 'ran', replayed: false });
  });

  it('claims nothing for a client that left while its scope was being resolved: the key stays free', async () => {
    let runs = 0;
    const lookups = new Inbox<{ resolve(scope: string): void; closed: Promise<void> }>();
    // Every run() reports when it settles, whichever way: the point after which the key is free or held.
    const keys = idempotency({ store: memoryStore() });
    const settled = new Inbox<string>();
    const observed: IdempotencyLike = {
      name: 'observed',
      run: (...args: Parameters<IdempotencyLike['run']>) => {
        const result = keys.run(...args);
        result.then(
          () => settled.push('resolved'),
          () => settled.push('rejected'),
        );
        return result;
      },
    } as IdempotencyLike;
    const { url } = await start((app) => app.post('/o', async (_request, reply) => reply.code(201).send({ run: ++runs })), {
      scope: (request) => {
        const scope = deferred<string>();
        const closed = new Promise<void>((resolve) => request.socket.once('close', () => resolve()));
        lookups.push({ resolve: (value) => scope.resolve(value), closed });
        return scope.promise;
      },
      idempotency: observed,
    });
    const controller = new AbortController();
    const gone = send(url, 'POST', '/o', { headers: key('left'), body: '{}', signal: controller.signal });
    const lookup = await lookups.next();
    controller.abort();
    await expect(gone).rejects.toThrow();
    await lookup.closed;
    lookup.resolve('t');
    expect(await settled.next()).toBe('rejected');
    const retry = send(url, 'POST', '/o', { headers: key('left'), body: '{}' });
    (await lookups.next()).resolve('t');
    expect(await retry).toMatchObject({ status: 201, json: { run: 1 } });
    expect(runs).toBe(1);
  });
});

describe('breakwaterIdempotency per-route opt-out', () => {
  it('a route with config.breakwater.idempotency false is not guarded; the others still are', async () => {
    let runs = 0;
    const { url } = await start(
      (app) => {
        app.post('/webhook', { config: { breakwater: { idempotency: false } } }, async () => ({ run: ++runs }));
        app.post('/orders', async () => ({ run: ++runs }));
      },
      { required: true },
    );
    // No key needed, and the same key twice runs twice: the route is outside the guard.
    expect((await send(url, 'POST', '/webhook', { body: '{}' })).status).toBe(200);
    const first = await send(url, 'POST', '/webhook', { headers: key('"k1"'), body: '{}' });
    const second = await send(url, 'POST', '/webhook', { headers: key('"k1"'), body: '{}' });
    expect([first.json, second.json]).toEqual([{ run: 2 }, { run: 3 }]);
    // Guarded as before.
    expect((await send(url, 'POST', '/orders', { body: '{}' })).status).toBe(400);
  });

  it('refuses any other value when the route is registered', async () => {
    const app = fastifyApp();
    running = app;
    await app.register(breakwaterIdempotency, { idempotency: idempotency({ store: memoryStore() }) });
    // onRoute hooks run as the route is declared: a bad value throws right there.
    expect(() => app.post('/x', { config: { breakwater: { idempotency: true as never } } }, async () => 'ok')).toThrow(
      'Expected `config.breakwater.idempotency` of POST /x to be false or left out, got `true` (boolean)',
    );
  });
});
