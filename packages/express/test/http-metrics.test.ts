import { afterEach, describe, expect, it } from 'vitest';
import express from 'express';
import { httpMetrics, metricsEndpoint, type HttpRequestSample } from '@breakwater/express';
import { Inbox, listen, manualClock, type Running } from './helpers.ts';

describe('httpMetrics()', () => {
  let running: Running | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('reports method, route template, status and duration once each response ends', async () => {
    const samples = new Inbox<HttpRequestSample>();
    const time = manualClock();
    const app = express();
    app.use(httpMetrics({ observe: (sample) => samples.push(sample), clock: time.clock }));
    app.get('/items/:id', (req, res) => {
      time.advance(25);
      res.status(Number(req.params['id']) > 100 ? 503 : 200).json({ id: req.params['id'] });
    });
    const router = express.Router();
    router.post('/orders/:orderId', (_req, res) => void res.status(201).end());
    app.use('/api', router);
    running = await listen(app);

    await fetch(`${running.url}/items/7`);
    expect(await samples.next()).toEqual({ method: 'GET', route: '/items/:id', status: 200, durationMs: 25 });
    await fetch(`${running.url}/items/500`);
    expect(await samples.next()).toMatchObject({ route: '/items/:id', status: 503 });
    await fetch(`${running.url}/api/orders/9`, { method: 'POST' });
    expect(await samples.next()).toMatchObject({ method: 'POST', route: '/api/orders/:orderId', status: 201 });
    await fetch(`${running.url}/nowhere`);
    expect(await samples.next()).toMatchObject({ method: 'GET', route: undefined, status: 404 });
    expect(samples.count).toBe(4);
  });

  it('rejects a missing observer', () => {
    expect(() => httpMetrics({} as never)).toThrow('Expected `observe` to be a function, got `undefined` (undefined)');
  });
});

describe('metricsEndpoint()', () => {
  let running: Running | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it("answers with the registry's text and content type, and passes a failure to next", async () => {
    let fail = false;
    const registry = {
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
      metrics: () => (fail ? Promise.reject(new Error('collect failed')) : Promise.resolve('breakwater_up 1\n')),
    };
    const app = express();
    app.get('/metrics', metricsEndpoint(registry));
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).send(error.message));
    running = await listen(app);
    const ok = await fetch(`${running.url}/metrics`);
    expect(ok.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await ok.text()).toBe('breakwater_up 1\n');
    fail = true;
    const failed = await fetch(`${running.url}/metrics`);
    expect([failed.status, await failed.text()]).toEqual([500, 'collect failed']);
  });
});
