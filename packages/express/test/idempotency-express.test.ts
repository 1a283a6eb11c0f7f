import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import express, { type NextFunction, type Request, type Response } from 'express';
import { INVALID_OPTION } from '@breakwater/core';
import { idempotency, memoryStore, type IdempotencyLike, type IdempotencyOutcomeEvent } from '@breakwater/idempotency';
import { deadline, idempotencyKeys, type IdempotencyKeysOptions } from '@breakwater/express';
import { send } from '../../idempotency/test/http-scenarios.ts';
import { deferred, Inbox, listen, manualClock, type Running } from './helpers.ts';
import { watchProcessProblems } from 'breakwater-test-utils';

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const key = (value: string): string[] => ['idempotency-key', value];

/** An app with idempotency keys in front of `routes`, and an error handler that reports what reached it. */
async function start(routes: (app: express.Express) => void, options: Partial<IdempotencyKeysOptions> = {}, before?: (app: express.Express) => void) {
  const keys = idempotency({ store: memoryStore() });
  const outcomes = new Inbox<IdempotencyOutcomeEvent>();
  keys.onOutcome((event) => outcomes.push(event));
  const errors: unknown[] = [];
  const app = express();
  before?.(app);
  app.use(express.json());
  app.use(idempotencyKeys({ idempotency: keys, ...options }));
  routes(app);
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    errors.push(error);
    res.status(500).json({ error: error.message });
  });
  running = await listen(app);
  return { url: running.url, errors, outcomes };
}

describe('idempotencyKeys() (Express specifics)', () => {
  it('checks its options at construction', () => {
    expect(() => idempotencyKeys({} as IdempotencyKeysOptions)).toThrow(/Expected `idempotency` to be an object with run\(\)/);
    try {
      idempotencyKeys({ idempotency: idempotency({ store: memoryStore() }), methods: ['GET' as never] });
      expect.unreachable();
    } catch (error) {
      expect((error as { code?: string }).code).toBe(INVALID_OPTION);
      expect((error as Error).message).toBe('Expected `methods[0]` to be one of `POST`, `PATCH`, `PUT`, `DELETE`, got `"GET"` (string)');
    }
  });

  it('stores a response written in chunks with writeHead (no Express helpers) and replays it in one piece', async () => {
    let runs = 0;
    const { url } = await start((app) =>
      app.post('/stream', (_req, res: ServerResponse) => {
        runs++;
        res.writeHead(202, 'Accepted', { 'content-type': 'text/plain', 'x-run': String(runs), 'set-cookie': ['a=1', 'b=2'] });
        res.write('one,');
        res.write(Buffer.from('two,'));
        res.end('three', 'utf8');
      }),
    );
    const first = await send(url, 'POST', '/stream', { headers: key('s'), body: '{}' });
    expect(first).toMatchObject({ status: 202, text: 'one,two,three' });
    expect(first.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    const replay = await send(url, 'POST', '/stream', { headers: key('s'), body: '{}' });
    expect(replay).toMatchObject({ status: 202, text: 'one,two,three' });
    expect(replay.headers).toMatchObject({ 'content-type': 'text/plain', 'x-run': '1', 'idempotent-replayed': 'true', 'content-length': '13' });
    expect(replay.headers['set-cookie']).toBeUndefined();
    expect(runs).toBe(1);
  });

  it('keeps headers set before it (CORS, request ids) on a replay, and the stored ones win where both exist', async () => {
    let request = 0;
    const { url } = await start(
      (app) => app.post('/r', (_req, res) => void res.set('x-shared', 'handler').status(201).json({ ok: true })),
      {},
      (app) =>
        app.use((_req, res, next) => {
          res.set({ 'access-control-allow-origin': '*', 'x-request-id': String(++request), 'x-shared': 'outer' });
          next();
        }),
    );
    await send(url, 'POST', '/r', { headers: key('h'), body: '{}' });
    const replay = await send(url, 'POST', '/r', { headers: key('h'), body: '{}' });
    expect(replay.headers).toMatchObject({ 'access-control-allow-origin': '*', 'x-shared': 'handler', 'idempotent-replayed': 'true' });
  });

  it('hands what scope() throws or rejects with, or a non-string scope, to the error handler without running the route', async () => {
    let runs = 0;
    const route = (app: express.Express) => app.post('/s', (_req, res) => void res.status(201).json({ run: ++runs }));
    const thrower = await start(route, {
      scope: (req) => {
        if (req.get('x-mode') === 'throw') throw new Error('no principal');
        if (req.get('x-mode') === 'reject') return Promise.reject(new Error('lookup failed'));
        if (req.get('x-mode') === 'number') return 7 as never;
        return Promise.resolve(req.get('x-tenant'));
      },
    });
    expect(await send(thrower.url, 'POST', '/s', { headers: [...key('k'), 'x-mode', 'throw'], body: '{}' })).toMatchObject({ status: 500, json: { error: 'no principal' } });
    expect(await send(thrower.url, 'POST', '/s', { headers: [...key('k'), 'x-mode', 'reject'], body: '{}' })).toMatchObject({ status: 500, json: { error: 'lookup failed' } });
    expect(await send(thrower.url, 'POST', '/s', { headers: [...key('k'), 'x-mode', 'number'], body: '{}' })).toMatchObject({
      status: 500,
      json: { error: 'Expected `scope(request)` to return a string or undefined, got number' },
    });
    expect(runs).toBe(0);
    // An async scope that resolves scopes the key.
    expect((await send(thrower.url, 'POST', '/s', { headers: [...key('k'), 'x-tenant', 'a'], body: '{}' })).json).toEqual({ run: 1 });
    expect((await send(thrower.url, 'POST', '/s', { headers: [...key('k'), 'x-tenant', 'b'], body: '{}' })).json).toEqual({ run: 2 });
    expect((await send(thrower.url, 'POST', '/s', { headers: [...key('k'), 'x-tenant', 'a'], body: '{}' })).headers['idempotent-replayed']).toBe('true');
  });

  it('a guard that throws (a body whose toJSON() throws) reaches the error handler: 500, no unhandled rejection, nothing claimed', async () => {
    const problems = watchProcessProblems();
    let runs = 0;
    for (const scope of [undefined, (req: Request) => Promise.resolve(req.get('x-tenant'))]) {
      const { url, errors, outcomes } = await start(
        (app) => app.post('/t', (_req, res) => void res.status(201).json({ run: ++runs })),
        scope === undefined ? {} : { scope },
        (app) =>
          app.use((req, _res, next) => {
            // Set before express.json(), which leaves a body it did not parse alone.
            if (req.get('x-poison') !== undefined) req.body = { toJSON: () => { throw new Error('toJSON bug'); } };
            next();
          }),
      );
      const answer = await send(url, 'POST', '/t', { headers: [...key('t'), 'x-poison', '1', 'x-tenant', 'a', 'content-type', 'text/plain'], body: 'x' });
      expect(answer).toMatchObject({ status: 500, json: { error: 'toJSON bug' } });
      expect(errors).toEqual([new Error('toJSON bug')]);
      expect(outcomes.count).toBe(0);
      await running?.close();
      running = undefined;
    }
    expect(runs).toBe(0);
    const seen = problems.stop();
    expect(seen.unhandled).toEqual([]);
  });

  it('stops waiting when the idempotency object closes mid-handler: close() resolves, the response goes out unstored', async () => {
    const store = memoryStore();
    const keys = idempotency({ store });
    const outcomes = new Inbox<IdempotencyOutcomeEvent>();
    keys.onOutcome((event) => outcomes.push(event));
    const gate = deferred();
    const entered = deferred();
    let runs = 0;
    const app = express();
    app.use(express.json());
    app.use(idempotencyKeys({ idempotency: keys }));
    app.post('/slow', async (_req, res) => {
      runs++;
      entered.resolve();
      await gate.promise;
      res.status(201).json({ run: runs });
    });
    running = await listen(app);
    const first = send(running.url, 'POST', '/slow', { headers: key('c'), body: '{}' });
    await entered.promise;
    await keys.close();
    expect((await outcomes.next()).outcome).toBe('failed');
    gate.resolve();
    expect(await first).toMatchObject({ status: 201, json: { run: 1 } });
    // Nothing was stored: a new object on the same store runs the key again.
    const next = idempotency({ store });
    expect(await next.run('c', 'any', async () => 'ran')).toEqual({ value: 'ran', replayed: false });
    await next.close();
  });

  it('guards only the configured methods, with the configured header', async () => {
    let runs = 0;
    const { url } = await start((app) => app.put('/p', (_req, res) => void res.json({ run: ++runs })).post('/p', (_req, res) => void res.json({ run: ++runs })), {
      methods: ['PUT'],
      header: 'X-Request-Key',
    });
    await send(url, 'PUT', '/p', { headers: ['x-request-key', 'k'], body: '{}' });
    expect((await send(url, 'PUT', '/p', { headers: ['x-request-key', 'k'], body: '{}' })).headers['idempotent-replayed']).toBe('true');
    await send(url, 'POST', '/p', { headers: ['x-request-key', 'k2'], body: '{}' });
    expect((await send(url, 'POST', '/p', { headers: ['x-request-key', 'k2'], body: '{}' })).headers['idempotent-replayed']).toBeUndefined();
    expect((await send(url, 'PUT', '/p', { headers: ['x-request-key', ''], body: '{}' })).json).toMatchObject({ status: 400, detail: 'The X-Request-Key header is empty.' });
    expect(runs).toBe(3);
  });

  it('under a deadline, a handler that overruns answers 504, its key is released and its late writes go nowhere', async () => {
    const time = manualClock();
    const gate = deferred();
    const reached = new Inbox<void>();
    let runs = 0;
    const { url, outcomes } = await start(
      (app) =>
        app.post('/slow', async (_req, res) => {
          runs++;
          if (runs === 1) {
            reached.push();
            await gate.promise;
          }
          res.status(201).json({ run: runs });
        }),
      {},
      (app) => app.use(deadline({ timeout: 1_000, clock: time.clock })),
    );
    const first = send(url, 'POST', '/slow', { headers: key('d'), body: '{}' });
    await reached.next();
    time.advance(1_000);
    expect((await first).status).toBe(504);
    expect(await outcomes.next()).toMatchObject({ outcome: 'released', reason: 'not-final' });
    gate.resolve();
    const retry = await send(url, 'POST', '/slow', { headers: key('d'), body: '{}' });
    expect(retry).toMatchObject({ status: 201, json: { run: 2 } });
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
    const { url } = await start((app) => app.post('/o', (_req, res) => void res.status(201).json({ run: ++runs })), {
      scope: (req) => {
        const scope = deferred<string>();
        const closed = new Promise<void>((resolve) => req.socket.once('close', () => resolve()));
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
