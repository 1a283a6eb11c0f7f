import { afterEach, describe, expect, it } from 'vitest';
import express from 'express';
import { bulkhead } from '@breakwater/bulkhead';
import { deadline, loadShedding } from '@breakwater/express';
import { gatedHandler, listen, manualClock, observed, read, responseTracker, settle, type Running } from './helpers.ts';

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('deadline() in front of loadShedding()', () => {
  it('answers 504 to a request whose deadline passes while it is queued, and frees its place', async () => {
    const time = manualClock();
    const policy = bulkhead({ capacity: 1, queue: 1 });
    const watched = observed(policy);
    const tracker = responseTracker();
    const gated = gatedHandler();
    const app = express();
    app.use(tracker.middleware);
    app.use(deadline({ timeout: 1_000, clock: time.clock }));
    app.use(loadShedding({ bulkhead: watched.policy }));
    app.get('/work', gated.handler);
    running = await listen(app);

    const first = fetch(`${running.url}/work?id=1`);
    const firstEntry = await gated.entries.next();
    time.advance(500);
    const second = fetch(`${running.url}/work?id=2`);
    await watched.arrivals.next();
    await watched.arrivals.next();
    expect(policy.queued).toBe(1);

    // The first request's deadline passes while it runs: 504, and its slot is released.
    time.advance(500);
    expect(await read(await first)).toMatchObject({ status: 504 });
    expect(firstEntry.req.signal.aborted).toBe(true);
    await tracker.closed.next();
    await settle();
    // The second was admitted when the first's response closed; its own deadline is still running.
    const secondEntry = await gated.entries.next();
    expect(secondEntry.req.query['id']).toBe('2');
    secondEntry.release();
    expect(await read(await second)).toMatchObject({ status: 200, body: { id: '2' } });

    // A request queued behind a stuck one gets 504 at its deadline and leaves the queue.
    const third = fetch(`${running.url}/work?id=3`);
    const thirdEntry = await gated.entries.next();
    const fourth = fetch(`${running.url}/work?id=4`);
    await watched.arrivals.next();
    await watched.arrivals.next();
    expect(policy.queued).toBe(1);
    time.advance(1_000);
    expect((await third).status).toBe(504);
    expect((await fourth).status).toBe(504);
    await settle();
    expect(policy.queued).toBe(0);
    expect(thirdEntry.req.signal.aborted).toBe(true);
    // The fourth never reached the handler.
    expect(gated.entries.count).toBe(3);
    expect(time.pending).toBe(0);
  });
});
