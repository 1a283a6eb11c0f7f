import express, { type Request, type Response } from 'express';
import { deferred, Inbox } from 'breakwater-test-utils';
import { idempotencyKeys } from '@breakwater/express';
import type { Gate, ScenarioApp, ScenarioSpec } from '../../idempotency/test/http-scenarios.ts';
import { listen } from './helpers.ts';

/** The scenario routes (see StartScenarioApp) on Express 5. */
export async function startExpress(spec: ScenarioSpec): Promise<ScenarioApp> {
  const calls: Record<string, number> = {};
  const count = (name: string): number => (calls[name] = (calls[name] ?? 0) + 1);
  const gates = new Inbox<Gate>();
  const app = express();
  app.use(express.json({ type: ['application/json', 'application/*+json'] }));
  app.use(express.text({ type: 'text/plain' }));
  app.use(
    idempotencyKeys({
      idempotency: spec.idempotency,
      required: spec.required,
      scope: spec.scoped ? (req) => req.get('x-tenant') : undefined,
      storeServerErrors: spec.storeServerErrors,
      maxBodyBytes: spec.maxBodyBytes,
    }),
  );
  const order = (req: Request, res: Response, status: number): void => {
    const n = count('orders');
    res.set({ 'x-order-id': String(n), 'cache-control': 'no-store', 'set-cookie': `session=${n}` });
    res.status(status).json({ order: n, received: req.body as unknown });
  };
  app.post('/orders', (req, res) => order(req, res, 201));
  app.patch('/orders/:id', (req, res) => order(req, res, 200));
  app.get('/orders', (_req, res) => void res.json({ list: count('list') }));
  app.post('/gated', async (_req, res) => {
    const n = count('gated');
    const gate = deferred<number>();
    gates.push({ release: (status = 200) => gate.resolve(status) });
    res.status(await gate.promise).json({ gated: n });
  });
  app.post('/fail', (req, res) => {
    if (count('fail') === 1) return void res.status(500).json({ error: 'boom' });
    res.status(201).json({ order: calls['fail'], received: req.body as unknown });
  });
  app.post('/throws', async (_req, res) => {
    if (count('throws') === 1) throw new Error('handler failed');
    res.status(201).json({ ok: true });
  });
  app.post('/status', (req, res) => {
    count('status');
    const code = Number(req.query['code']);
    res.status(code).json({ status: code });
  });
  app.post('/text', (req, res) => {
    count('text');
    res.status(201).type('text/plain').send(`got ${String(req.body).length}`);
  });
  app.post('/big', (req, res) => {
    count('big');
    res.type('application/octet-stream').send(Buffer.alloc(Number(req.query['size']), 'x'));
  });
  const running = await listen(app);
  return { url: running.url, calls, gates, close: () => running.close() };
}
