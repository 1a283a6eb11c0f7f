import { getEventListeners } from 'node:events';
import { Agent } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteOptions } from 'fastify';
import { INVALID_OPTION, isTimeoutError, TimeoutError } from '@breakwater/core';
import { breakwaterDeadline, type DeadlineOptions } from '@breakwater/fastify';
import { app, deferred, get, Inbox, listen, manualClock, read, settle, trackResponses } from './helpers.ts';

let server: FastifyInstance | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const timeoutBody = { type: 'about:blank', title: 'Gateway Timeout', status: 504, detail: 'The request did not complete within 1000 ms.' };

interface Seen {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly signal: AbortSignal;
}

/** An app with a manual-clock deadline; `routes` adds routes after the plugin has loaded. */
async function start(routes: (fastify: FastifyInstance, seen: Inbox<Seen>) => void, options: Partial<DeadlineOptions> = {}) {
  const time = manualClock();
  const seen = new Inbox<Seen>();
  const errors: unknown[] = [];
  const fastify = (server = app());
  const tracker = trackResponses(fastify);
  await fastify.register(breakwaterDeadline, { timeout: 1_000, clock: time.clock, ...options });
  routes(fastify, seen);
  fastify.setErrorHandler((error, _request, reply) => {
    errors.push(error);
    return reply.code(500).send({ error: (error as Error).message });
  });
  const url = await listen(fastify);
  return { url, time, seen, errors, tracker };
}

/** Resolves when the signal aborts: what a handler that honours its signal waits on. */
function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
}

describe('breakwaterDeadline', () => {
  it('hands the handler a live request.signal and clears its timer once the response ends', async () => {
    const { url, time, tracker } = await start((fastify) => {
      fastify.get('/', async (request) => ({ aborted: request.signal.aborted, isSignal: request.signal instanceof AbortSignal }));
    });
    expect(await read(await fetch(url))).toMatchObject({ status: 200, body: { aborted: false, isSignal: true } });
    await tracker.closed.next();
    expect(time.pending).toBe(0);
  });

  it('aborts request.signal with a TimeoutError at the deadline and answers 504 problem+json; a handler that honours the signal stops', async () => {
    const stopped = deferred<unknown>();
    const { url, time, seen, errors } = await start((fastify, seen) => {
      fastify.get('/slow', async (request, reply) => {
        seen.push({ request, reply, signal: request.signal });
        stopped.resolve(await aborted(request.signal));
        return reply;
      });
    });
    const pending = fetch(`${url}/slow`);
    const { signal } = await seen.next();
    time.advance(999);
    expect(signal.aborted).toBe(false);
    time.advance(1);
    expect(signal.aborted).toBe(true);
    expect(isTimeoutError(signal.reason)).toBe(true);
    expect(signal.reason).toBeInstanceOf(TimeoutError);
    expect(signal.reason).toMatchObject({ timeoutMs: 1_000 });
    expect(await read(await pending)).toEqual({ status: 504, type: 'application/problem+json', retryAfter: null, body: timeoutBody });
    expect(await stopped.promise).toBe(signal.reason);
    expect(errors).toEqual([]);
    expect(time.pending).toBe(0);
  });

  it('answers 503 when configured to', async () => {
    const { url, time, seen } = await start(
      (fastify, seen) => {
        fastify.get('/slow', (request, reply) => void seen.push({ request, reply, signal: request.signal }));
      },
      { status: 503 },
    );
    const pending = fetch(`${url}/slow`);
    await seen.next();
    time.advance(1_000);
    expect(await read(await pending)).toMatchObject({ status: 503, body: { title: 'Service Unavailable', status: 503 } });
  });

  it('survives a handler that ignored its signal and answers late, by return, reply.send or a throw', async () => {
    const late = deferred();
    const finished = new Inbox<string>();
    const { url, time, seen, errors } = await start((fastify, seen) => {
      fastify.get('/returns', async (request, reply) => {
        seen.push({ request, reply, signal: request.signal });
        await late.promise;
        finished.push('returns');
        return { late: true };
      });
      fastify.get('/sends', async (request, reply) => {
        seen.push({ request, reply, signal: request.signal });
        await late.promise;
        reply.header('x-late', 'yes').send({ late: true });
        finished.push('sends');
        return reply;
      });
      fastify.get('/throws', async (request, reply) => {
        seen.push({ request, reply, signal: request.signal });
        await late.promise;
        finished.push('throws');
        throw request.signal.reason;
      });
    });
    const pending = ['/returns', '/sends', '/throws'].map((path) => fetch(`${url}${path}`));
    await seen.next();
    await seen.next();
    await seen.next();
    time.advance(1_000);
    for (const response of pending) expect(await read(await response)).toMatchObject({ status: 504, body: timeoutBody });
    late.resolve();
    expect(new Set([await finished.next(), await finished.next(), await finished.next()])).toEqual(new Set(['returns', 'sends', 'throws']));
    await settle();
    expect(errors).toEqual([]);
    // The server still serves.
    expect(await read(await fetch(`${url}/returns`))).toMatchObject({ status: 200, body: { late: true } });
  });

  it('lets a handler that answers from its abort listener keep its own answer', async () => {
    const { url, time, seen } = await start((fastify, seen) => {
      fastify.get('/own', (request, reply) => {
        seen.push({ request, reply, signal: request.signal });
        request.signal.addEventListener('abort', () => void reply.code(500).send({ own: true }));
      });
    });
    const pending = fetch(`${url}/own`);
    await seen.next();
    time.advance(1_000);
    expect(await read(await pending)).toMatchObject({ status: 500, body: { own: true } });
  });

  it('aborts request.signal with an AbortError when the client disconnects, and clears the timer', async () => {
    const { url, time, seen, tracker } = await start((fastify, seen) => {
      fastify.get('/slow', (request, reply) => void seen.push({ request, reply, signal: request.signal }));
    });
    const leaving = new AbortController();
    const pending = fetch(`${url}/slow`, { signal: leaving.signal }).catch((error: unknown) => error);
    const { signal } = await seen.next();
    leaving.abort();
    await pending;
    await tracker.closed.next();
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toMatchObject({ name: 'AbortError' });
    expect(isTimeoutError(signal.reason)).toBe(false);
    expect(time.pending).toBe(0);
  });

  it('takes a per-route deadline from config.breakwater.deadline, and none for deadline: false', async () => {
    const { url, time, seen, tracker } = await start((fastify, seen) => {
      fastify.get('/short', { config: { breakwater: { deadline: 100 } } }, (request, reply) => void seen.push({ request, reply, signal: request.signal }));
      fastify.get('/stream', { config: { breakwater: { deadline: false } } }, (request, reply) => void seen.push({ request, reply, signal: request.signal }));
    });
    const short = fetch(`${url}/short`);
    const { signal: shortSignal } = await seen.next();
    time.advance(100);
    expect(shortSignal.reason).toMatchObject({ timeoutMs: 100 });
    expect(await read(await short)).toMatchObject({ status: 504, body: { detail: 'The request did not complete within 100 ms.' } });
    await tracker.closed.next();

    const unbounded = fetch(`${url}/stream`);
    const { reply, signal } = await seen.next();
    expect(time.pending).toBe(0);
    time.advance(60_000);
    expect(signal.aborted).toBe(false);
    reply.send('done at last');
    expect(await read(await unbounded)).toMatchObject({ status: 200, body: 'done at last' });
  });

  it('on a Fastify without request.signal (< 5.12), decorates it and gives routes without a deadline a disconnect signal', async () => {
    const fastify = (server = app());
    const tracker = trackResponses(fastify);
    const seen = new Inbox<AbortSignal>();
    const decorated: string[] = [];
    await fastify.register(async (child) => {
      // Pretend to be an older Fastify; breakwaterDeadline is not encapsulated, so it gets `child` itself.
      child.hasRequestDecorator = () => false;
      child.decorateRequest = ((name: string) => {
        decorated.push(name);
        return child;
      }) as never;
      await child.register(breakwaterDeadline, { timeout: 1_000, clock: manualClock().clock });
      child.get('/unbounded', { config: { breakwater: { deadline: false } } }, (request) => void seen.push(request.signal));
    });
    const url = await listen(fastify);
    expect(decorated).toEqual(['signal']);
    const leaving = new AbortController();
    const pending = fetch(`${url}/unbounded`, { signal: leaving.signal }).catch(() => 'aborted');
    const signal = await seen.next();
    leaving.abort();
    await pending;
    await tracker.closed.next();
    expect(signal.reason).toMatchObject({ name: 'AbortError', message: 'The client closed the connection before the response was complete' });
  });

  it('adds one deadline hook per route, HEAD routes included, ahead of the route’s own hooks', async () => {
    const time = manualClock();
    const fastify = (server = app());
    const hookNames = new Map<string, string[]>();
    await fastify.register(breakwaterDeadline, { timeout: 1_000, clock: time.clock });
    // Registered after the plugin: sees the route options once Breakwater has added its hook.
    fastify.addHook('onRoute', (routeOptions: RouteOptions) => {
      const hooks = [routeOptions.onRequest ?? []].flat();
      hookNames.set(`${String(routeOptions.method)} ${routeOptions.url}`, hooks.map((hook) => hook.name));
    });
    fastify.get('/a', { onRequest: async function own() {} }, async () => 'a');
    await fastify.ready();
    expect(Object.fromEntries(hookNames)).toEqual({ 'GET /a': ['breakwaterDeadline', 'own'], 'HEAD /a': ['breakwaterDeadline', 'own'] });
  });

  it('fires on the system clock by default (a short real deadline, the thing under test)', async () => {
    const fastify = (server = app());
    await fastify.register(breakwaterDeadline, { timeout: 50 });
    fastify.get('/slow', async (request, reply) => {
      await aborted(request.signal);
      return reply;
    });
    const url = await listen(fastify);
    const started = performance.now();
    const response = await fetch(`${url}/slow`);
    expect(response.status).toBe(504);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('leaves no listeners on the keep-alive socket or the server after many requests', async () => {
    const { url, tracker, time } = await start((fastify) => {
      fastify.get('/', async () => 'ok');
    });
    const counts = (target: NodeJS.EventEmitter) => Object.fromEntries(target.eventNames().map((name) => [String(name), getEventListeners(target, name).length]));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await get(url, agent)).toEqual({ status: 200, body: 'ok' });
      await tracker.closed.next();
      const [socket] = tracker.sockets;
      const before = { socket: counts(socket!), server: counts(server!.server) };
      for (let i = 0; i < 20; i++) {
        expect(await get(url, agent)).toEqual({ status: 200, body: 'ok' });
        await tracker.closed.next();
      }
      expect(tracker.sockets.size).toBe(1);
      expect({ socket: counts(socket!), server: counts(server!.server) }).toEqual(before);
      expect(time.pending).toBe(0);
    } finally {
      agent.destroy();
    }
  });

  describe('rejects invalid options when registered, with a message that names the option', () => {
    it.each([
      [{}, TypeError, 'Expected `timeout` to be a number from 1 to 2147483647, got `undefined` (undefined)'],
      [{ timeout: 0 }, RangeError, 'Expected `timeout` to be a number from 1 to 2147483647, got `0` (number)'],
      [{ timeout: Number.NaN }, RangeError, 'Expected `timeout` to be a number from 1 to 2147483647, got `NaN` (number)'],
      [{ timeout: 100, status: 408 }, RangeError, 'Expected `status` to be one of `504`, `503`, got `408` (number)'],
      [{ timeout: 100, clock: {} }, TypeError, 'Expected `clock` to be an object with setTimeout(), clearTimeout(), got `[object]` (object)'],
      [{ timeout: 100, duration: 100 }, TypeError, 'Unknown option `duration` for breakwaterDeadline; expected one of `timeout`, `status`, `clock`'],
    ])('%o', async (options, type, message) => {
      const fastify = (server = app());
      const error = await fastify.register(breakwaterDeadline, options as never).ready().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(type);
      expect(error).toMatchObject({ message, code: INVALID_OPTION });
    });

    it("refuses a route whose Fastify handlerTimeout is shorter than its deadline, and accepts a longer one", async () => {
      const fastify = (server = app());
      await fastify.register(breakwaterDeadline, { timeout: 1_000 });
      expect(() => fastify.get('/x', { handlerTimeout: 500 }, async () => 'x')).toThrow(
        "Fastify's `handlerTimeout` of GET /x (500 ms) is shorter than its Breakwater deadline (1000 ms): it would answer without aborting request.signal. Remove it, or use config.breakwater.deadline instead",
      );
      expect(() => fastify.get('/y', { handlerTimeout: 5_000 }, async () => 'y')).not.toThrow();
      expect(() => fastify.get('/z', { handlerTimeout: 500, config: { breakwater: { deadline: 200 } } }, async () => 'z')).not.toThrow();

      const withServerTimeout = Fastify({ handlerTimeout: 100 });
      await withServerTimeout.register(breakwaterDeadline, { timeout: 1_000 });
      expect(() => withServerTimeout.get('/x', async () => 'x')).toThrow(RangeError);
      expect(() => withServerTimeout.get('/y', { config: { breakwater: { deadline: false } } }, async () => 'y')).not.toThrow();
      await withServerTimeout.close();
    });

    it.each([
      [{ deadline: 0 }, RangeError, 'Expected `config.breakwater.deadline` of GET /x to be false or a number from 1 to 2147483647, got `0` (number)'],
      [{ deadline: true }, TypeError, 'Expected `config.breakwater.deadline` of GET /x to be false or a number from 1 to 2147483647, got `true` (boolean)'],
      [{ deadline: '5s' }, TypeError, 'Expected `config.breakwater.deadline` of GET /x to be false or a number from 1 to 2147483647, got `"5s"` (string)'],
      [{ timeout: 5 }, TypeError, 'Unknown option `timeout` in `config.breakwater` of GET /x; expected one of `deadline`, `loadShedding`, `rateLimit`, `idempotency`, `responseCache`'],
    ])('rejects the route config %o', async (breakwater, type, message) => {
      const fastify = (server = app());
      await fastify.register(breakwaterDeadline, { timeout: 1_000 });
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
