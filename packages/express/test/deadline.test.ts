import { getEventListeners } from 'node:events';
import { Agent } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import express, { type NextFunction, type Request, type Response } from 'express';
import { INVALID_OPTION, isTimeoutError, TimeoutError } from '@breakwater/core';
import { deadline } from '@breakwater/express';
import { deferred, get, Inbox, listen, manualClock, read, responseTracker, settle, type Running } from './helpers.ts';

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const timeoutBody = { type: 'about:blank', title: 'Gateway Timeout', status: 504, detail: 'The request did not complete within 1000 ms.' };

/** What a handler saw: its signal, and what happened to it. */
interface Seen {
  readonly req: Request;
  readonly res: Response;
  readonly signal: AbortSignal;
}

/** An app with a manual-clock deadline in front of the given routes, and an error handler that reports. */
async function start(routes: (app: express.Express, seen: Inbox<Seen>) => void, options: Partial<Parameters<typeof deadline>[0] & object> = {}) {
  const time = manualClock();
  const seen = new Inbox<Seen>();
  const errors: { error: unknown; headersSent: boolean }[] = [];
  const tracker = responseTracker();
  const app = express();
  app.use(tracker.middleware);
  app.use(deadline({ timeout: 1_000, clock: time.clock, ...options }));
  routes(app, seen);
  app.use((error: Error, _req: Request, res: Response, next: NextFunction) => {
    errors.push({ error, headersSent: res.headersSent });
    if (res.headersSent) return next(error);
    res.status(500).json({ error: error.message });
  });
  running = await listen(app);
  return { url: running.url, time, seen, errors, tracker };
}

/** Resolves when the signal aborts: what a handler that honours its signal waits on. */
function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
}

describe('deadline()', () => {
  it('hands the handler a live signal and clears its timer once the response ends', async () => {
    const { url, time, tracker } = await start((app) => {
      app.get('/', (req, res) => void res.json({ aborted: req.signal.aborted, isSignal: req.signal instanceof AbortSignal }));
    });
    expect(await read(await fetch(url))).toMatchObject({ status: 200, body: { aborted: false, isSignal: true } });
    await tracker.closed.next();
    expect(time.pending).toBe(0);
  });

  it('aborts the signal with a TimeoutError at the deadline and answers 504 problem+json; a handler that honours the signal stops', async () => {
    const stopped = deferred<unknown>();
    const { url, time, seen, errors } = await start((app, seen) => {
      app.get('/slow', async (req, res) => {
        seen.push({ req, res, signal: req.signal });
        const reason = await aborted(req.signal);
        stopped.resolve(reason);
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
      (app, seen) => {
        app.get('/slow', (req, res) => seen.push({ req, res, signal: req.signal }));
      },
      { status: 503 },
    );
    const pending = fetch(`${url}/slow`);
    await seen.next();
    time.advance(1_000);
    expect(await read(await pending)).toMatchObject({ status: 503, body: { title: 'Service Unavailable', status: 503 } });
  });

  it('drops the late answer of a handler that ignored its signal, without crashing or reaching the error handler', async () => {
    const late = deferred();
    const wrote = deferred<boolean>();
    const { url, time, seen, errors } = await start((app, seen) => {
      app.get('/ignores', async (req, res) => {
        seen.push({ req, res, signal: req.signal });
        await late.promise;
        res.status(200).set('x-late', 'yes').json({ late: true });
        wrote.resolve(res.headersSent);
      });
    });
    const pending = fetch(`${url}/ignores`);
    await seen.next();
    time.advance(1_000);
    expect(await read(await pending)).toMatchObject({ status: 504, body: timeoutBody });
    late.resolve();
    expect(await wrote.promise).toBe(true);
    await settle();
    expect(errors).toEqual([]);
    // The server still serves.
    const next = fetch(`${url}/ignores`);
    await seen.next();
    time.advance(1_000);
    expect((await next).status).toBe(504);
  });

  it('drops late writes made from a callback, outside any promise Express could catch', async () => {
    const done = deferred();
    const { url, time, seen } = await start((app, seen) => {
      app.get('/callback', (req, res) => {
        seen.push({ req, res, signal: req.signal });
        req.signal.addEventListener('abort', () => {
          // Right after the abort, before the 504 has even been flushed, then again a little later.
          queueMicrotask(() => res.end('late'));
          setImmediate(() => {
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.write('late');
            res.end();
            done.resolve();
          });
        });
      });
    });
    const pending = fetch(`${url}/callback`);
    await seen.next();
    time.advance(1_000);
    expect(await read(await pending)).toMatchObject({ status: 504, body: timeoutBody });
    await done.promise;
    await settle();
  });

  it("sends a handler's late error to the error handler with headersSent, after the client got the whole 504", async () => {
    const { url, time, seen, errors } = await start((app, seen) => {
      app.get('/rethrows', async (req, res) => {
        seen.push({ req, res, signal: req.signal });
        throw await aborted(req.signal);
      });
    });
    const pending = fetch(`${url}/rethrows`);
    await seen.next();
    time.advance(1_000);
    expect(await read(await pending)).toMatchObject({ status: 504, body: timeoutBody });
    await settle();
    expect(errors).toHaveLength(1);
    expect(isTimeoutError(errors[0]!.error)).toBe(true);
    expect(errors[0]!.headersSent).toBe(true);
  });

  it('lets a handler that answers from its abort listener keep its own answer', async () => {
    const { url, time, seen } = await start((app, seen) => {
      app.get('/own', (req, res) => {
        seen.push({ req, res, signal: req.signal });
        req.signal.addEventListener('abort', () => void res.status(500).json({ own: true }));
      });
    });
    const pending = fetch(`${url}/own`);
    await seen.next();
    time.advance(1_000);
    expect(await read(await pending)).toMatchObject({ status: 500, body: { own: true } });
  });

  it('only aborts the signal of a response already streaming; the handler ends it', async () => {
    const { url, time, seen } = await start((app, seen) => {
      app.get('/stream', (req, res) => {
        seen.push({ req, res, signal: req.signal });
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial;');
        req.signal.addEventListener('abort', () => res.end('stopped'));
      });
    });
    const response = await fetch(`${url}/stream`);
    const { signal } = await seen.next();
    time.advance(1_000);
    expect(isTimeoutError(signal.reason)).toBe(true);
    expect(await read(response)).toMatchObject({ status: 200, body: 'partial;stopped' });
  });

  it('aborts req.signal with an AbortError when the client disconnects, and clears the timer', async () => {
    const { url, time, seen, tracker } = await start((app, seen) => {
      app.get('/slow', (req, res) => seen.push({ req, res, signal: req.signal }));
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

  it('follows an outer deadline: the earlier of the two answers, and no listener stays on the outer signal', async () => {
    const time = manualClock();
    const seen = new Inbox<AbortSignal>();
    const outers: AbortSignal[] = [];
    const tracker = responseTracker();
    const app = express();
    app.use(tracker.middleware);
    app.use(deadline({ timeout: 5_000, clock: time.clock }));
    app.use((req, _res, next) => {
      outers.push(req.signal);
      next();
    });
    app.get('/short', deadline({ timeout: 100, clock: time.clock }), (req) => seen.push(req.signal));
    app.get('/long', deadline({ timeout: 60_000, clock: time.clock }), (req) => seen.push(req.signal));
    app.get('/fast', deadline({ timeout: 60_000, clock: time.clock }), (req, res) => void res.send(String(req.signal === outers.at(-1))));
    running = await listen(app);

    const short = fetch(`${running.url}/short`);
    const shortSignal = await seen.next();
    time.advance(100);
    expect(shortSignal.reason).toMatchObject({ timeoutMs: 100 });
    expect(await read(await short)).toMatchObject({ status: 504, body: { detail: 'The request did not complete within 100 ms.' } });
    await tracker.closed.next();

    const long = fetch(`${running.url}/long`);
    const longSignal = await seen.next();
    time.advance(5_000);
    expect(longSignal.reason).toMatchObject({ timeoutMs: 5_000 });
    expect(await read(await long)).toMatchObject({ status: 504, body: { detail: 'The request did not complete within 5000 ms.' } });
    await tracker.closed.next();

    expect(await (await fetch(`${running.url}/fast`)).text()).toBe('false');
    await tracker.closed.next();
    for (const outer of outers) expect(getEventListeners(outer, 'abort')).toHaveLength(0);
    expect(time.pending).toBe(0);
  });

  it('fires on the system clock by default (a short real deadline, the thing under test)', async () => {
    const app = express();
    app.get('/slow', deadline(50), async (req) => void (await aborted(req.signal)));
    running = await listen(app);
    const started = performance.now();
    const response = await fetch(`${running.url}/slow`);
    expect(response.status).toBe(504);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('leaves no listeners on the keep-alive socket or the server after many requests', async () => {
    const { url, tracker, time } = await start((app) => {
      app.get('/', (_req, res) => void res.send('ok'));
    });
    const counts = (target: NodeJS.EventEmitter) => Object.fromEntries(target.eventNames().map((name) => [String(name), getEventListeners(target, name).length]));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await get(url, agent)).toEqual({ status: 200, body: 'ok' });
      await tracker.closed.next();
      const [socket] = tracker.sockets;
      const before = { socket: counts(socket!), server: counts(running!.server) };
      for (let i = 0; i < 20; i++) {
        expect(await get(url, agent)).toEqual({ status: 200, body: 'ok' });
        await tracker.closed.next();
      }
      expect(tracker.sockets.size).toBe(1);
      expect({ socket: counts(socket!), server: counts(running!.server) }).toEqual(before);
      expect(time.pending).toBe(0);
    } finally {
      agent.destroy();
    }
  });

  it('is a named middleware function and accepts a number as the timeout', () => {
    expect(deadline(1_000).name).toBe('breakwaterDeadline');
  });

  describe('rejects invalid options at construction with a message that names the option', () => {
    it.each([
      [{}, TypeError, 'Expected `timeout` to be a number from 1 to 2147483647, got `undefined` (undefined)'],
      [{ timeout: 0 }, RangeError, 'Expected `timeout` to be a number from 1 to 2147483647, got `0` (number)'],
      [{ timeout: 2_147_483_648 }, RangeError, 'Expected `timeout` to be a number from 1 to 2147483647, got `2147483648` (number)'],
      [{ timeout: Number.NaN }, RangeError, 'Expected `timeout` to be a number from 1 to 2147483647, got `NaN` (number)'],
      [{ timeout: '5s' }, TypeError, 'Expected `timeout` to be a number from 1 to 2147483647, got `"5s"` (string)'],
      [{ timeout: 100, status: 408 }, RangeError, 'Expected `status` to be one of `504`, `503`, got `408` (number)'],
      [{ timeout: 100, clock: {} }, TypeError, 'Expected `clock` to be an object with setTimeout(), clearTimeout(), got `[object]` (object)'],
      [{ timeout: 100, duration: 100 }, TypeError, 'Unknown option `duration` for deadline(); expected one of `timeout`, `status`, `clock`'],
    ])('%o', (options, type, message) => {
      const error = catchError(() => deadline(options as never));
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
