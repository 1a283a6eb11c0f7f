import { afterEach, describe, expect, it, vi } from 'vitest';
import express, { type NextFunction, type Request, type Response } from 'express';
import { bulkhead } from '@breakwater/bulkhead';
import { INVALID_OPTION } from '@breakwater/core';
import { loadShedding, type BulkheadLike } from '@breakwater/express';
import { gatedHandler, listen, observed, read, responseTracker, settle, type Running } from './helpers.ts';

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const shedBody = {
  type: 'about:blank',
  title: 'Service Unavailable',
  status: 503,
  detail: 'The server is at capacity; retry after 1 second.',
};

/** An app with load shedding in front of a gated `/work` route, and an error handler that reports. */
async function start(policy: BulkheadLike, options: Omit<Parameters<typeof loadShedding>[0], 'bulkhead'> = {}) {
  const tracker = responseTracker();
  const gated = gatedHandler();
  const errors: unknown[] = [];
  const app = express();
  app.use(tracker.middleware);
  app.use(loadShedding({ bulkhead: policy, ...options }));
  app.get('/work', gated.handler);
  app.get('/ok', (_req, res) => void res.json({ ok: true }));
  app.get('/throws', () => {
    throw Object.assign(new Error('sync failure'), { status: 418 });
  });
  app.get('/rejects', async () => {
    await Promise.resolve();
    throw Object.assign(new Error('async failure'), { status: 502 });
  });
  app.use((error: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    errors.push(error);
    res.status(error.status ?? 500).json({ error: error.message });
  });
  running = await listen(app);
  return { url: running.url, tracker, entries: gated.entries, errors };
}

describe('loadShedding()', () => {
  it('with capacity 1 and queue 1, answers the third concurrent request 503 with Retry-After and problem+json; the first two get 200', async () => {
    const policy = bulkhead({ capacity: 1, queue: 1 });
    const watched = observed(policy);
    const { url, entries } = await start(watched.policy);

    const first = fetch(`${url}/work?id=1`);
    const firstEntry = await entries.next();
    const second = fetch(`${url}/work?id=2`);
    await watched.arrivals.next();
    await watched.arrivals.next();
    expect(policy.queued).toBe(1);

    const third = await fetch(`${url}/work?id=3`);
    expect(await read(third)).toEqual({ status: 503, type: 'application/problem+json', retryAfter: '1', body: shedBody });

    firstEntry.release();
    expect(await read(await first)).toMatchObject({ status: 200, body: { id: '1' } });
    const secondEntry = await entries.next();
    secondEntry.release();
    expect(await read(await second)).toMatchObject({ status: 200, body: { id: '2' } });
    expect(entries.count).toBe(2);
  });

  it('releases the slot when the response ends, so later requests are admitted', async () => {
    const policy = bulkhead({ capacity: 1 });
    const { url, tracker } = await start(policy);
    for (let i = 0; i < 5; i++) {
      expect((await fetch(`${url}/ok`)).status).toBe(200);
      await tracker.closed.next();
      await settle();
      expect(policy.executing).toBe(0);
    }
  });

  it('frees the queued place of a client that disconnects while queued, so the next request is queued instead of shed', async () => {
    const policy = bulkhead({ capacity: 1, queue: 1 });
    const watched = observed(policy);
    const { url, entries, tracker } = await start(watched.policy);

    const first = fetch(`${url}/work?id=1`);
    const firstEntry = await entries.next();
    await watched.arrivals.next();

    const leaving = new AbortController();
    const abandoned = fetch(`${url}/work?id=2`, { signal: leaving.signal }).catch((error: unknown) => error);
    await watched.arrivals.next();
    expect(policy.queued).toBe(1);
    leaving.abort();
    expect(await abandoned).toMatchObject({ name: 'AbortError' });
    await tracker.closed.next();
    expect(policy.queued).toBe(0);

    const third = fetch(`${url}/work?id=3`);
    await watched.arrivals.next();
    expect(policy.queued).toBe(1);
    firstEntry.release();
    expect((await first).status).toBe(200);
    const thirdEntry = await entries.next();
    expect(thirdEntry.req.query['id']).toBe('3');
    thirdEntry.release();
    expect(await read(await third)).toMatchObject({ status: 200, body: { id: '3' } });
    // The handler never ran for the client that left.
    expect(entries.count).toBe(2);
  });

  it("releases a running request's slot when its client disconnects", async () => {
    const policy = bulkhead({ capacity: 1 });
    const { url, entries, tracker } = await start(policy);
    const leaving = new AbortController();
    const abandoned = fetch(`${url}/work`, { signal: leaving.signal }).catch(() => 'aborted');
    await entries.next();
    expect(policy.executing).toBe(1);
    leaving.abort();
    await abandoned;
    await tracker.closed.next();
    await settle();
    expect(policy.executing).toBe(0);
    expect((await fetch(`${url}/ok`)).status).toBe(200);
  });

  it.each([
    ['/throws', 418, 'sync failure'],
    ['/rejects', 502, 'async failure'],
  ])("sends what %s throws to Express's error handler with its status, and releases the slot", async (path, status, message) => {
    const policy = bulkhead({ capacity: 1 });
    const { url, errors, tracker } = await start(policy);
    expect(await read(await fetch(`${url}${path}`))).toMatchObject({ status, body: { error: message } });
    expect(errors).toHaveLength(1);
    await tracker.closed.next();
    await settle();
    expect(policy.executing).toBe(0);
    expect((await fetch(`${url}/ok`)).status).toBe(200);
  });

  it('sends an error from the bulkhead itself (not a rejection) to next()', async () => {
    const broken: BulkheadLike = { execute: () => Promise.reject(new Error('store unavailable')) };
    const { url, errors } = await start(broken);
    expect(await read(await fetch(`${url}/ok`))).toMatchObject({ status: 500, body: { error: 'store unavailable' } });
    expect(errors).toHaveLength(1);
  });

  it('calls onShed with the request, and honours status and retryAfter', async () => {
    const onShed = vi.fn();
    const policy = bulkhead({ capacity: 1 });
    const { url, entries } = await start(policy, { onShed, status: 429, retryAfter: 30 });
    const first = fetch(`${url}/work`);
    const entry = await entries.next();
    expect(await read(await fetch(`${url}/work?id=shed`))).toEqual({
      status: 429,
      type: 'application/problem+json',
      retryAfter: '30',
      body: { type: 'about:blank', title: 'Too Many Requests', status: 429, detail: 'The server is at capacity; retry after 30 seconds.' },
    });
    expect(onShed).toHaveBeenCalledTimes(1);
    expect((onShed.mock.calls[0]![0] as Request).query['id']).toBe('shed');
    entry.release();
    expect((await first).status).toBe(200);
  });

  it('sends what onShed throws to next() instead of the 503', async () => {
    const policy = bulkhead({ capacity: 1 });
    const { url, entries, errors } = await start(policy, {
      onShed: () => {
        throw new Error('logger down');
      },
    });
    const first = fetch(`${url}/work`);
    const entry = await entries.next();
    expect(await read(await fetch(`${url}/work`))).toMatchObject({ status: 500, body: { error: 'logger down' } });
    expect(errors).toHaveLength(1);
    entry.release();
    expect((await first).status).toBe(200);
  });

  it('builds its own bulkhead from options or a capacity', async () => {
    const app = express();
    app.get('/a', loadShedding({ bulkhead: { capacity: 2, queue: 0 } }), (_req, res) => void res.send('a'));
    app.get('/b', loadShedding({ bulkhead: 3 }), (_req, res) => void res.send('b'));
    running = await listen(app);
    expect(await (await fetch(`${running.url}/a`)).text()).toBe('a');
    expect(await (await fetch(`${running.url}/b`)).text()).toBe('b');
  });

  it('is a named middleware function', () => {
    expect(loadShedding({ bulkhead: 1 }).name).toBe('breakwaterLoadShedding');
  });

  describe('rejects invalid options at construction with a message that names the option', () => {
    it.each([
      [{}, TypeError, 'Expected `bulkhead` to be a bulkhead policy, bulkhead() options or a capacity, got `undefined` (undefined)'],
      [{ bulkhead: 'ten' }, TypeError, 'Expected `bulkhead` to be a bulkhead policy, bulkhead() options or a capacity, got `"ten"` (string)'],
      [{ bulkhead: { capacity: 0 } }, RangeError, 'Expected `capacity` to be an integer from 1 and up, got `0` (number)'],
      [{ bulkhead: 1, retryAfter: -1 }, RangeError, 'Expected `retryAfter` to be an integer from 0 to 86400, got `-1` (number)'],
      [{ bulkhead: 1, retryAfter: 1.5 }, RangeError, 'Expected `retryAfter` to be an integer from 0 to 86400, got `1.5` (number)'],
      [{ bulkhead: 1, status: 500 }, RangeError, 'Expected `status` to be one of `503`, `429`, got `500` (number)'],
      [{ bulkhead: 1, onShed: 'log' }, TypeError, 'Expected `onShed` to be a function, got `"log"` (string)'],
      [{ bulkhead: 1, retryafter: 5 }, TypeError, 'Unknown option `retryafter` for loadShedding(); expected one of `bulkhead`, `retryAfter`, `status`, `onShed`'],
    ])('%o', (options, type, message) => {
      const error = catchError(() => loadShedding(options as never));
      expect(error).toBeInstanceOf(type);
      expect(error).toMatchObject({ message, code: INVALID_OPTION });
    });

    it('rejects options that are not an object', () => {
      expect(() => loadShedding(5 as never)).toThrow('Expected the options of loadShedding() to be an object, got `5` (number)');
    });
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
