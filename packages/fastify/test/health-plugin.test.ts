import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { bulkhead } from '@breakwater/bulkhead';
import { INVALID_OPTION } from '@breakwater/core';
import { breakwaterDeadline, breakwaterHealth, breakwaterLoadShedding, breakwaterRateLimit } from '@breakwater/fastify';
import { rateLimit } from '@breakwater/rate-limit';
import { createHealth, gracefulShutdown, type Health } from '@breakwater/health';
import { app, gatedHandler, listen, manualClock } from './helpers.ts';

const SECRET = 'postgres://app:hunter2@db.internal:5432/orders';

let server: FastifyInstance | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await server?.close();
  server = undefined;
});

function newHealth(): Health {
  const health = createHealth({ clock: manualClock().clock, eventLoopLag: false, cacheMs: 0 });
  health.register('db', () => {
    throw new Error(`connect ECONNREFUSED ${SECRET}`);
  });
  health.register('search', () => ({ status: 'warn', observedValue: 812, observedUnit: 'ms', output: 'slow' }), { critical: false });
  return health;
}

async function probe(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  return { status: res.status, type: res.headers.get('content-type'), cache: res.headers.get('cache-control'), text: await res.text() };
}

describe('breakwaterHealth', () => {
  it('answers the three probes with health+json, no-store, 200 or 503, and HEAD without a body', async () => {
    const health = newHealth();
    const fastify = (server = app());
    await fastify.register(breakwaterHealth, { health });
    const url = await listen(fastify);

    const starting = await probe(`${url}/health/ready`);
    expect(starting).toMatchObject({ status: 503, type: 'application/health+json', cache: 'no-store' });
    expect(JSON.parse(starting.text)).toEqual({ status: 'fail', checks: { lifecycle: [{ status: 'fail' }] } });

    health.markStarted();
    const ready = await probe(`${url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toEqual({ status: 'fail', checks: { db: [{ status: 'fail' }], search: [{ status: 'warn' }] } });
    expect(ready.text).not.toContain('hunter2');
    expect(ready.text).not.toContain('ECONNREFUSED');

    expect(await probe(`${url}/health/live`)).toEqual({ status: 200, type: 'application/health+json', cache: 'no-store', text: '{"status":"pass","checks":{}}' });
    expect((await probe(`${url}/health/startup`)).status).toBe(503);
    const head = await fetch(`${url}/health/live`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/health+json');
    expect(await head.text()).toBe('');
  });

  it('answers 200 for warn', async () => {
    const health = createHealth({ eventLoopLag: false, cacheMs: 0 });
    health.register('search', () => false, { critical: false });
    health.markStarted();
    const fastify = (server = app());
    await fastify.register(breakwaterHealth, { health });
    const url = await listen(fastify);
    const ready = await probe(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ status: 'warn', checks: { search: [{ status: 'fail' }] } });
  });

  it('shows details only when exposeDetails says so, per request, on custom paths', async () => {
    const health = newHealth();
    health.markStarted();
    const fastify = (server = app());
    await fastify.register(breakwaterHealth, { health, paths: { ready: '/readyz' }, exposeDetails: (request) => request.headers['x-operator'] === 'yes' });
    const url = await listen(fastify);
    expect((await probe(`${url}/readyz`)).text).not.toContain('hunter2');
    const operator = await probe(`${url}/readyz`, { headers: { 'x-operator': 'yes' } });
    expect(JSON.parse(operator.text)).toEqual({
      status: 'fail',
      checks: {
        db: [{ status: 'fail', time: '1970-01-01T00:00:00.000Z', output: `connect ECONNREFUSED ${SECRET}` }],
        search: [{ status: 'warn', observedValue: 812, observedUnit: 'ms', time: '1970-01-01T00:00:00.000Z', output: 'slow' }],
      },
    });
    expect((await probe(`${url}/health/ready`)).status).toBe(404);
  });

  it('keeps probes out of load shedding and request deadlines', async () => {
    const health = createHealth({ eventLoopLag: false });
    health.markStarted();
    const fastify = (server = app());
    const policy = bulkhead({ capacity: 1 });
    await fastify.register(breakwaterDeadline, { timeout: 1_000 });
    await fastify.register(breakwaterLoadShedding, { bulkhead: policy });
    await fastify.register(breakwaterHealth, { health });
    const gated = gatedHandler();
    fastify.get('/work', gated.handler);
    const url = await listen(fastify);
    const busy = fetch(`${url}/work`);
    const entry = await gated.entries.next();
    expect((await fetch(`${url}/work`)).status).toBe(503);
    expect((await probe(`${url}/health/live`)).status).toBe(200);
    expect((await probe(`${url}/health/ready`)).status).toBe(200);
    entry.release();
    expect((await busy).status).toBe(200);
  });

  it('checks its options when registered', async () => {
    const health = newHealth();
    const cases: [object, RegExp | string][] = [
      [{}, /Expected `health` to be an object with live\(\), ready\(\), startup\(\)/],
      [{ health, paths: { live: 'live' } }, 'Expected `paths.live` to start with "/", got `"live"` (string)'],
      [{ health, paths: { live: '/x', startup: '/x' } }, 'Expected `paths` to name three different paths'],
      [{ health, exposeDetails: 1 }, 'Expected `exposeDetails` to be a boolean or a function, got `1` (number)'],
      [{ health, path: '/h' }, /Unknown option `path` for breakwaterHealth/],
    ];
    for (const [options, message] of cases) {
      const fastify = app();
      await expect(fastify.register(breakwaterHealth, options as never).ready()).rejects.toThrow(
        expect.objectContaining({ code: INVALID_OPTION, message: typeof message === 'string' ? message : expect.stringMatching(message) }),
      );
      await fastify.close();
    }
  });

  it('readiness answers 503 from the SIGTERM on while liveness stays 200 and the app keeps serving', async () => {
    const health = createHealth({ eventLoopLag: false });
    health.register('db', () => true);
    const fastify = (server = app());
    await fastify.register(breakwaterHealth, { health });
    fastify.get('/work', async () => ({ ok: true }));
    const url = await listen(fastify);
    health.markStarted();
    const exits: number[] = [];
    const shutdown = gracefulShutdown({ servers: [fastify.server], health, clock: manualClock().clock, exit: (code) => void exits.push(code), signals: ['SIGTERM'] });
    cleanups.push(() => shutdown.close());

    expect((await probe(`${url}/health/ready`)).status).toBe(200);
    process.emit('SIGTERM' as never);
    expect((await probe(`${url}/health/ready`)).status).toBe(503);
    expect((await probe(`${url}/health/live`)).status).toBe(200);
    expect((await probe(`${url}/work`)).status).toBe(200);
    expect(exits).toEqual([]);
  });
});

describe('breakwaterHealth next to breakwaterRateLimit', () => {
  it('probes are never counted by the rate limit, whichever plugin is registered first', async () => {
    const app = Fastify();
    await app.register(breakwaterRateLimit, { limiter: rateLimit({ limits: { quota: 1, windowMs: 60_000 } }) });
    const health = createHealth({ eventLoopLag: false });
    health.markStarted();
    await app.register(breakwaterHealth, { health });
    app.get('/work', async () => 'ok');
    const url = await listen(app);
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await fetch(`${url}/health/ready`)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      expect((await fetch(`${url}/work`)).status).toBe(200);
      expect((await fetch(`${url}/work`)).status).toBe(429);
    } finally {
      await app.close();
      await health.close();
    }
  });
});
