import { afterEach, describe, expect, it } from 'vitest';
import express, { type Request } from 'express';
import { INVALID_OPTION } from '@breakwater/core';
import { healthHandler, healthRoutes } from '@breakwater/express';
import { createHealth, gracefulShutdown, type Health } from '@breakwater/health';
import { listen, manualClock, type Running } from './helpers.ts';

const SECRET = 'postgres://app:hunter2@db.internal:5432/orders';

let running: Running | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await running?.close();
  running = undefined;
});

function newHealth(): Health {
  const health = createHealth({ clock: manualClock().clock, eventLoopLag: false, cacheMs: 0 });
  health.register('db', () => {
    throw new Error(`connect ECONNREFUSED ${SECRET}`);
  });
  health.register('search', () => ({ status: 'warn', observedValue: 812, observedUnit: 'ms', output: 'slow' }), { critical: false });
  return health;
}

async function start(app: express.Express): Promise<string> {
  running = await listen(app);
  return running.url;
}

async function probe(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  return { status: res.status, type: res.headers.get('content-type'), cache: res.headers.get('cache-control'), text: await res.text() };
}

describe('healthRoutes()', () => {
  it('answers /health/live, /health/ready and /health/startup with health+json, no-store, 200 or 503, and passes other paths on', async () => {
    const health = newHealth();
    const app = express();
    app.use(healthRoutes(health));
    app.get('/health/other', (_req, res) => void res.send('other'));
    const url = await start(app);

    const starting = await probe(`${url}/health/ready`);
    expect(starting).toMatchObject({ status: 503, type: 'application/health+json', cache: 'no-store' });
    expect(JSON.parse(starting.text)).toEqual({ status: 'fail', checks: { lifecycle: [{ status: 'fail' }] } });

    health.markStarted();
    const ready = await probe(`${url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toEqual({ status: 'fail', checks: { db: [{ status: 'fail' }], search: [{ status: 'warn' }] } });
    expect(ready.text).not.toContain('hunter2');
    expect(ready.text).not.toContain('ECONNREFUSED');

    const live = await probe(`${url}/health/live`);
    expect(live).toEqual({ status: 200, type: 'application/health+json', cache: 'no-store', text: '{"status":"pass","checks":{}}' });
    expect((await probe(`${url}/health/startup`)).status).toBe(503);
    expect(await probe(`${url}/health/other`)).toMatchObject({ status: 200, text: 'other' });
    expect((await probe(`${url}/health/ready`, { method: 'POST' })).status).toBe(404);

    const head = await fetch(`${url}/health/live`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/health+json');
    expect(await head.text()).toBe('');
  });

  it('answers 200 for warn: a failing non-critical check degrades, never removes the instance', async () => {
    const health = createHealth({ eventLoopLag: false, cacheMs: 0 });
    health.register('search', () => false, { critical: false });
    health.markStarted();
    const app = express();
    app.use(healthRoutes(health));
    const url = await start(app);
    const ready = await probe(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ status: 'warn', checks: { search: [{ status: 'fail' }] } });
  });

  it('shows details only when exposeDetails says so, per request', async () => {
    const health = newHealth();
    health.markStarted();
    const app = express();
    app.use(healthRoutes(health, { exposeDetails: (req: Request) => req.get('x-operator') === 'yes', paths: { ready: '/readyz' } }));
    const url = await start(app);
    const anonymous = await probe(`${url}/readyz`);
    expect(anonymous.text).not.toContain('hunter2');
    const operator = await probe(`${url}/readyz`, { headers: { 'x-operator': 'yes' } });
    expect(JSON.parse(operator.text)).toEqual({
      status: 'fail',
      checks: {
        db: [{ status: 'fail', time: '1970-01-01T00:00:00.000Z', output: `connect ECONNREFUSED ${SECRET}` }],
        search: [{ status: 'warn', observedValue: 812, observedUnit: 'ms', time: '1970-01-01T00:00:00.000Z', output: 'slow' }],
      },
    });
    expect((await probe(`${url}/health/live`)).status).toBe(200);
    expect((await probe(`${url}/health/ready`)).status).toBe(404);
  });

  it('healthHandler() serves one probe on a route of your own', async () => {
    const health = newHealth();
    const app = express();
    app.get('/livez', healthHandler(health, 'liveness'));
    const url = await start(app);
    expect(await probe(`${url}/livez`)).toMatchObject({ status: 200, type: 'application/health+json', cache: 'no-store' });
  });

  it('checks its options', () => {
    const health = newHealth();
    expect(() => healthRoutes({} as never)).toThrow(/Expected `health` to be an object with live\(\), ready\(\), startup\(\)/);
    expect(() => healthRoutes(health, { paths: { live: 'live' } })).toThrow(
      expect.objectContaining({ code: INVALID_OPTION, message: 'Expected `paths.live` to start with "/", got `"live"` (string)' }),
    );
    expect(() => healthRoutes(health, { paths: { live: '/x', ready: '/x' } })).toThrow('Expected `paths` to name three different paths');
    expect(() => healthRoutes(health, { exposeDetails: 'yes' as never })).toThrow('Expected `exposeDetails` to be a boolean or a function, got `"yes"` (string)');
    expect(() => healthRoutes(health, { path: '/h' } as never)).toThrow(/Unknown option `path` for healthRoutes\(\)/);
    expect(() => healthHandler(health, 'ready' as never)).toThrow(/Expected `probe` to be one of/);
  });

  it('readiness answers 503 from the SIGTERM on while liveness stays 200 and the app keeps serving', async () => {
    const health = createHealth({ eventLoopLag: false });
    health.register('db', () => true);
    const app = express();
    app.use(healthRoutes(health));
    app.get('/work', (_req, res) => void res.json({ ok: true }));
    const url = await start(app);
    health.markStarted();
    const time = manualClock();
    const exits: number[] = [];
    const shutdown = gracefulShutdown({ servers: [running!.server], health, clock: time.clock, exit: (code) => void exits.push(code), signals: ['SIGTERM'] });
    cleanups.push(() => shutdown.close());

    expect((await probe(`${url}/health/ready`)).status).toBe(200);
    process.emit('SIGTERM' as never);
    const ready = await probe(`${url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toEqual({ status: 'fail', checks: { lifecycle: [{ status: 'fail' }] } });
    expect((await probe(`${url}/health/live`)).status).toBe(200);
    expect((await probe(`${url}/work`)).status).toBe(200);
    expect(exits).toEqual([]);
  });
});
