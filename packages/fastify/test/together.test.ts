import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { bulkhead } from '@breakwater/bulkhead';
import { breakwaterDeadline, breakwaterLoadShedding } from '@breakwater/fastify';
import { app, gatedHandler, listen, manualClock, observed, read, settle, trackResponses } from './helpers.ts';

let server: FastifyInstance | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('breakwaterDeadline registered before breakwaterLoadShedding', () => {
  it('answers 504 to a request whose deadline passes while it is queued, frees its place, and never runs its handler', async () => {
    const time = manualClock();
    const policy = bulkhead({ capacity: 1, queue: 1 });
    const watched = observed(policy);
    const fastify = (server = app());
    const tracker = trackResponses(fastify);
    const gated = gatedHandler();
    await fastify.register(breakwaterDeadline, { timeout: 1_000, clock: time.clock });
    await fastify.register(breakwaterLoadShedding, { bulkhead: watched.policy });
    fastify.get('/work', gated.handler);
    const url = await listen(fastify);

    const first = fetch(`${url}/work?id=1`);
    const firstEntry = await gated.entries.next();
    time.advance(500);
    const second = fetch(`${url}/work?id=2`);
    await watched.arrivals.next();
    await watched.arrivals.next();
    expect(policy.queued).toBe(1);

    // The first request's deadline passes while it runs: 504, and its slot goes to the second.
    time.advance(500);
    expect(await read(await first)).toMatchObject({ status: 504 });
    expect(firstEntry.request.signal.aborted).toBe(true);
    await tracker.closed.next();
    await settle();
    const secondEntry = await gated.entries.next();
    expect((secondEntry.request.query as Record<string, string>)['id']).toBe('2');
    secondEntry.release();
    expect(await read(await second)).toMatchObject({ status: 200, body: { id: '2' } });

    // A request queued behind a stuck one gets 504 at its deadline and leaves the queue.
    const third = fetch(`${url}/work?id=3`);
    await gated.entries.next();
    const fourth = fetch(`${url}/work?id=4`);
    await watched.arrivals.next();
    await watched.arrivals.next();
    expect(policy.queued).toBe(1);
    time.advance(1_000);
    expect((await third).status).toBe(504);
    expect(await read(await fourth)).toMatchObject({ status: 504, type: 'application/problem+json' });
    await settle();
    expect(policy.queued).toBe(0);
    expect(gated.entries.count).toBe(3);
    expect(time.pending).toBe(0);
  });

  it('drops a request whose client left while queued without running its handler', async () => {
    const time = manualClock();
    const policy = bulkhead({ capacity: 1, queue: 1 });
    const watched = observed(policy);
    const fastify = (server = app());
    const tracker = trackResponses(fastify);
    const gated = gatedHandler();
    await fastify.register(breakwaterDeadline, { timeout: 1_000, clock: time.clock });
    await fastify.register(breakwaterLoadShedding, { bulkhead: watched.policy });
    fastify.get('/work', gated.handler);
    const url = await listen(fastify);

    const first = fetch(`${url}/work?id=1`);
    const firstEntry = await gated.entries.next();
    await watched.arrivals.next();
    const leaving = new AbortController();
    const abandoned = fetch(`${url}/work?id=2`, { signal: leaving.signal }).catch(() => 'aborted');
    await watched.arrivals.next();
    leaving.abort();
    await abandoned;
    await tracker.closed.next();
    await settle();
    expect(policy.queued).toBe(0);
    firstEntry.release();
    expect((await first).status).toBe(200);
    await settle();
    expect(gated.entries.count).toBe(1);
    expect(time.pending).toBe(0);
  });
});
