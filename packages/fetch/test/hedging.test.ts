import type { ServerResponse } from 'node:http';
import { consecutive } from '@breakwater/circuit-breaker';
import { createFetch, type FetchHedgeEvent } from '@breakwater/fetch';
import { manualClock } from 'breakwater-test-utils';
import { describe, expect, it } from 'vitest';
import { reply, serve, until } from './helpers.ts';

function base(manual: ReturnType<typeof manualClock>) {
  return { clock: manual.clock, timeout: false, attemptTimeout: false, retry: { budget: false }, breaker: false } as const;
}

describe('hedging', () => {
  it('sends a hedge to the other origin after the delay, returns the faster answer and aborts the slower request', async () => {
    let slowClosedBeforeFinish = false;
    const held: ServerResponse[] = [];
    const slow = await serve((req, res) => {
      held.push(res);
      res.on('close', () => (slowClosedBeforeFinish = !res.writableFinished));
      void req;
    });
    const fast = await serve((req, res) => reply(res, 200, {}, `fast ${req.url}`));
    const manual = manualClock();
    const fetch = createFetch({ ...base(manual), hedging: { delay: 50, origins: [fast.url] } });
    const hedges: FetchHedgeEvent[] = [];
    fetch.onHedge((event) => hedges.push(event));
    const pending = fetch(`${slow.url}/items?id=7`);
    await until(() => slow.hits.length === 1 && manual.pending === 1, 'the primary and the hedge timer');
    expect(fast.hits).toHaveLength(0);
    manual.advance(50);
    const res = await pending;
    expect(await res.text()).toBe('fast /items?id=7');
    expect(hedges).toMatchObject([{ hedge: 1, origin: fast.url, trigger: 'delay', delayMs: 50 }]);
    await until(() => slowClosedBeforeFinish, 'the slow server to see the abort');
    expect(manual.pending).toBe(0);
  });

  it('returns the primary when it answers before the delay, sending no hedge', async () => {
    const server = await serve((_req, res) => reply(res, 200, {}, 'primary'));
    const manual = manualClock();
    const fetch = createFetch({ ...base(manual), hedging: { delay: 50 } });
    const res = await fetch(server.url);
    expect(await res.text()).toBe('primary');
    expect(server.hits).toHaveLength(1);
    expect(manual.pending).toBe(0);
  });

  it('hedges at once when the primary fails, and the retry judges the round only when every attempt failed', async () => {
    const primary = await serve((_req, res) => reply(res, 503));
    const secondary = await serve((_req, res, n) => reply(res, n === 0 ? 503 : 200, {}, 'second'));
    const manual = manualClock();
    const fetch = createFetch({ ...base(manual), retry: { budget: false, baseDelay: 10, jitter: 'none' }, hedging: { delay: 10_000, origins: [secondary.url] } });
    const triggers: string[] = [];
    fetch.onHedge((event) => triggers.push(event.trigger));
    const pending = fetch(primary.url);
    // Round 1: primary 503 → hedge at once → 503: the round failed, the retry waits 10 ms.
    await until(() => secondary.hits.length === 1 && manual.pending === 1, 'the retry backoff');
    manual.advance(10);
    const res = await pending;
    expect(await res.text()).toBe('second');
    expect(triggers).toEqual(['failure', 'failure']);
    expect(primary.hits).toHaveLength(2);
  });

  it('moves on to another origin when the first one’s breaker is open', async () => {
    const down = await serve((_req, res) => reply(res, 500));
    const up = await serve((_req, res) => reply(res, 200));
    const manual = manualClock();
    const fetch = createFetch({
      ...base(manual),
      retry: false,
      breaker: { strategy: consecutive({ threshold: 1 }), breakDuration: 60_000 },
      hedging: { delay: 10_000, origins: [up.url] },
    });
    await (await fetch(`${down.url}/a`, { breakwater: { hedging: false } })).text();
    expect(fetch.breakers!.get(down.url).state).toBe('open');
    const res = await fetch(`${down.url}/a`);
    expect(res.status).toBe(200);
    expect(down.hits).toHaveLength(1);
  });

  it('hedges after a latency percentile of recent successful attempts', async () => {
    const server = await serve((_req, res) => reply(res, 200));
    const manual = manualClock();
    const fetch = createFetch({ ...base(manual), hedging: { delay: { percentile: 90, samples: 10, fallback: 5_000 } } });
    const delays: number[] = [];
    fetch.onHedge((event) => delays.push(event.delayMs));
    // Latencies on the manual clock: advance it while each request is in flight.
    const held: ServerResponse[] = [];
    const slowServer = await serve((_req, res) => held.push(res));
    const timed = async (ms: number): Promise<void> => {
      // Not hedged, still measured: the window learns from every successful attempt.
      const pending = fetch(slowServer.url, { breakwater: { hedging: false } });
      await until(() => held.length > 0, 'the request');
      manual.advance(ms);
      reply(held.shift()!, 200);
      await (await pending).text();
    };
    for (const ms of [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]) await timed(ms);
    // p90 of 10…100 is 90: the next slow request hedges after 90 ms, not the 5 s fallback.
    const pending = fetch(slowServer.url);
    await until(() => held.length === 1, 'the primary');
    manual.advance(90);
    await until(() => held.length === 2, 'the hedge');
    expect(delays).toEqual([90]);
    reply(held.pop()!, 200, {}, 'hedge');
    expect(await (await pending).text()).toBe('hedge');
    void server;
  });

  it('does not hedge a POST without a key, nor a stream body', async () => {
    const server = await serve(() => {});
    const manual = manualClock();
    const fetch = createFetch({ ...base(manual), hedging: { delay: 10 } });
    const controller = new AbortController();
    const settled = fetch(server.url, { method: 'POST', body: 'x', signal: controller.signal }).catch(() => 'aborted');
    await until(() => server.hits.length === 1, 'the request');
    expect(manual.pending).toBe(0);
    controller.abort();
    expect(await settled).toBe('aborted');
  });

  it('a caller abort cancels the primary and the hedge at once', async () => {
    let closed = 0;
    const server = await serve((req) => req.on('close', () => closed++));
    const manual = manualClock();
    const fetch = createFetch({ ...base(manual), hedging: { delay: 10 } });
    const controller = new AbortController();
    const settled = fetch(server.url, { signal: controller.signal }).catch((error: unknown) => error);
    await until(() => server.hits.length === 1, 'the primary');
    manual.advance(10);
    await until(() => server.hits.length === 2, 'the hedge');
    controller.abort();
    expect(((await settled) as Error).name).toBe('AbortError');
    await until(() => closed === 2, 'both closes');
    expect(manual.pending).toBe(0);
  });
});

describe('the loser of a hedged round', () => {
  it('is recorded as cancelled with a HedgeLostError, which no breaker counts', async () => {
    const { isHedgeLostError } = await import('@breakwater/fetch');
    const slow = await serve(() => {});
    const fast = await serve((_req, res) => reply(res, 200));
    const manual = manualClock();
    const fetch = createFetch({
      clock: manual.clock,
      timeout: false,
      attemptTimeout: false,
      breaker: { strategy: consecutive({ threshold: 1 }) },
      hedging: { delay: 5, origins: [fast.url] },
    });
    const attempts: { hedge: number; error?: unknown; cancelled?: boolean }[] = [];
    fetch.onAttempt((event) => attempts.push(event.attempt));
    const pending = fetch(slow.url);
    await until(() => slow.hits.length === 1, 'the primary');
    manual.advance(5);
    expect((await pending).status).toBe(200);
    await until(() => attempts.length === 2, 'the loser to settle');
    const loser = attempts.find((a) => a.hedge === 0)!;
    expect(isHedgeLostError(loser.error)).toBe(true);
    expect(loser.cancelled).toBe(true);
    expect(fetch.breakers!.get(slow.url).state).toBe('closed');
  });
});

describe('hedge targets', () => {
  it('rewrites the URL of each hedge with `rewrite`, keeping a Request input’s method and headers', async () => {
    const slow = await serve(() => {});
    const fast = await serve((req, res) => reply(res, 200, {}, `${req.method} ${req.url} ${req.headers['x-trace']}`));
    const manual = manualClock();
    const fetch = createFetch({
      clock: manual.clock,
      timeout: false,
      attemptTimeout: false,
      breaker: false,
      hedging: { delay: 20, rewrite: (url, hedge) => `${fast.url}/mirror${hedge}${url.pathname}` },
    });
    const pending = fetch(new Request(`${slow.url}/doc`, { method: 'DELETE', headers: { 'x-trace': 't-1' } }));
    await until(() => slow.hits.length === 1, 'the primary');
    manual.advance(20);
    expect(await (await pending).text()).toBe('DELETE /mirror1/doc t-1');
  });
});
