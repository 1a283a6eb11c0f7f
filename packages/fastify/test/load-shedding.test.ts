import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { bulkhead } from '@breakwater/bulkhead';
import { INVALID_OPTION } from '@breakwater/core';
import { breakwaterLoadShedding, type BulkheadLike, type LoadSheddingOptions } from '@breakwater/fastify';
import { app, gatedHandler, listen, observed, read, settle, trackResponses } from './helpers.ts';

let server: FastifyInstance | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const shedBody = {
  type: 'about:blank',
  title: 'Service Unavailable',
  status: 503,
  detail: 'The server is at capacity; retry after 1 second.',
};

/** An app with load shedding in front of a gated `/work` route, and an error handler that reports. */
async function start(policy: BulkheadLike, options: Omit<LoadSheddingOptions, 'bulkhead'> = {}) {
  const fastify = (server = app());
  const tracker = trackResponses(fastify);
  const gated = gatedHandler();
  const errors: unknown[] = [];
  await fastify.register(breakwaterLoadShedding, { bulkhead: policy, ...options });
  fastify.get('/work', gated.handler);
  fastify.get('/ok', async () => ({ ok: true }));
  fastify.get('/health', { config: { breakwater: { loadShedding: false } } }, async () => ({ healthy: true }));
  fastify.get('/throws', () => {
    throw Object.assign(new Error('sync failure'), { statusCode: 418 });
  });
  fastify.get('/rejects', async () => {
    await Promise.resolve();
    throw Object.assign(new Error('async failure'), { statusCode: 502 });
  });
  fastify.setErrorHandler((error: FastifyError, _request, reply) => {
    errors.push(error);
    return reply.code(error.statusCode ?? 500).send({ error: error.message });
  });
  const url = await listen(fastify);
  return { url, tracker, entries: gated.entries, errors };
}

describe('breakwaterLoadShedding', () => {
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
    expect((thirdEntry.request.query as Record<string, string>)['id']).toBe('3');
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
  ])("sends what %s throws to Fastify's error handler with its status, and releases the slot", async (path, status, message) => {
    const policy = bulkhead({ capacity: 1 });
    const { url, errors, tracker } = await start(policy);
    expect(await read(await fetch(`${url}${path}`))).toMatchObject({ status, body: { error: message } });
    expect(errors).toHaveLength(1);
    await tracker.closed.next();
    await settle();
    expect(policy.executing).toBe(0);
    expect((await fetch(`${url}/ok`)).status).toBe(200);
  });

  it("sends an error from the bulkhead itself (not a rejection) to Fastify's error handler", async () => {
    const broken: BulkheadLike = { execute: () => Promise.reject(new Error('store unavailable')) };
    const { url, errors } = await start(broken);
    expect(await read(await fetch(`${url}/ok`))).toMatchObject({ status: 500, body: { error: 'store unavailable' } });
    expect(errors).toHaveLength(1);
  });

  it('lets a route opt out with config.breakwater.loadShedding: false', async () => {
    const policy = bulkhead({ capacity: 1 });
    const { url, entries } = await start(policy);
    const first = fetch(`${url}/work`);
    const entry = await entries.next();
    expect((await fetch(`${url}/ok`)).status).toBe(503);
    expect(await read(await fetch(`${url}/health`))).toMatchObject({ status: 200, body: { healthy: true } });
    entry.release();
    expect((await first).status).toBe(200);
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
    expect(((onShed.mock.calls[0]![0] as FastifyRequest).query as Record<string, string>)['id']).toBe('shed');
    entry.release();
    expect((await first).status).toBe(200);
  });

  it("sends what onShed throws to Fastify's error handler instead of the 503", async () => {
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

  it('sheds routes registered in child plugins, once per request (HEAD too), before their own onRequest hooks run', async () => {
    const fastify = (server = app());
    const policy = bulkhead({ capacity: 1 });
    const watched = observed(policy);
    const order: string[] = [];
    await fastify.register(breakwaterLoadShedding, { bulkhead: watched.policy });
    await fastify.register(async (child) => {
      child.get('/child', { onRequest: async () => void order.push(`route hook, ${policy.executing} running`) }, async () => {
        order.push('handler');
        return 'child';
      });
    });
    const url = await listen(fastify);
    expect(await (await fetch(`${url}/child`)).text()).toBe('child');
    expect((await fetch(`${url}/child`, { method: 'HEAD' })).status).toBe(200);
    expect(order).toEqual(['route hook, 1 running', 'handler', 'route hook, 1 running', 'handler']);
    expect(watched.arrivals.count).toBe(2);
  });

  describe('rejects invalid options when registered, with a message that names the option', () => {
    it.each([
      [{}, TypeError, 'Expected `bulkhead` to be a bulkhead policy, bulkhead() options or a capacity, got `undefined` (undefined)'],
      [{ bulkhead: { capacity: 0 } }, RangeError, 'Expected `capacity` to be an integer from 1 and up, got `0` (number)'],
      [{ bulkhead: 1, retryAfter: -1 }, RangeError, 'Expected `retryAfter` to be an integer from 0 to 86400, got `-1` (number)'],
      [{ bulkhead: 1, status: 500 }, RangeError, 'Expected `status` to be one of `503`, `429`, got `500` (number)'],
      [{ bulkhead: 1, onShed: 'log' }, TypeError, 'Expected `onShed` to be a function, got `"log"` (string)'],
      [
        { bulkhead: 1, retryafter: 5 },
        TypeError,
        'Unknown option `retryafter` for breakwaterLoadShedding; expected one of `bulkhead`, `retryAfter`, `status`, `onShed`',
      ],
    ])('%o', async (options, type, message) => {
      const fastify = (server = app());
      const error = await fastify.register(breakwaterLoadShedding, options as never).ready().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(type);
      expect(error).toMatchObject({ message, code: INVALID_OPTION });
    });

    it.each([
      [{ loadShedding: true }, TypeError, 'Expected `config.breakwater.loadShedding` of GET /x to be false or left out, got `true` (boolean)'],
      [{ loadshedding: false }, TypeError, 'Unknown option `loadshedding` in `config.breakwater` of GET /x; expected one of `deadline`, `loadShedding`, `rateLimit`, `idempotency`, `responseCache`'],
      ['off', TypeError, 'Expected `config.breakwater` of GET /x to be an object, got `"off"` (string)'],
    ])('rejects the route config %o', async (breakwater, type, message) => {
      const fastify = (server = app());
      await fastify.register(breakwaterLoadShedding, { bulkhead: 1 });
      const error = catchError(() => fastify.get('/x', { config: { breakwater: breakwater as never } }, async () => 'x'));
      expect(error).toBeInstanceOf(type);
      expect(error).toMatchObject({ message, code: INVALID_OPTION });
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
