import { afterEach, describe, expect, it } from 'vitest';
import express from 'express';
import { deadline, requestSignal } from '@breakwater/express';
import { Inbox, listen, manualClock, responseTracker, type Running } from './helpers.ts';

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('requestSignal()', () => {
  it('without deadline(), gives a signal that aborts with an AbortError when the client disconnects', async () => {
    const seen = new Inbox<AbortSignal>();
    const tracker = responseTracker();
    const app = express();
    app.use(tracker.middleware);
    app.get('/', (req) => {
      const signal = requestSignal(req);
      expect(requestSignal(req)).toBe(signal);
      expect(req.signal).toBe(signal);
      seen.push(signal);
    });
    running = await listen(app);
    const leaving = new AbortController();
    const pending = fetch(running.url, { signal: leaving.signal }).catch(() => 'aborted');
    const signal = await seen.next();
    expect(signal.aborted).toBe(false);
    leaving.abort();
    await pending;
    await tracker.closed.next();
    expect(signal.reason).toMatchObject({ name: 'AbortError' });
  });

  it('does not abort once the response has finished', async () => {
    const tracker = responseTracker();
    const seen: AbortSignal[] = [];
    const app = express();
    app.use(tracker.middleware);
    app.get('/', (req, res) => {
      seen.push(requestSignal(req));
      res.send('ok');
    });
    running = await listen(app);
    expect(await (await fetch(running.url)).text()).toBe('ok');
    await tracker.closed.next();
    expect(seen[0]!.aborted).toBe(false);
  });

  it("returns deadline()'s signal where that middleware runs", async () => {
    const same: boolean[] = [];
    const app = express();
    app.use(deadline({ timeout: 1_000, clock: manualClock().clock }));
    app.get('/', (req, res) => {
      const before = req.signal;
      same.push(requestSignal(req) === before);
      res.send('ok');
    });
    running = await listen(app);
    expect((await fetch(running.url)).status).toBe(200);
    expect(same).toEqual([true]);
  });
});
