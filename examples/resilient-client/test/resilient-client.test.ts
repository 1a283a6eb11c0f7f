import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from 'breakwater-test-utils';
import { startFakeQuotesApi, type FakeQuotesApi } from '../src/fake-quotes-api.ts';
import { resilientQuotes } from '../src/resilient-quotes.ts';

const apis: FakeQuotesApi[] = [];
afterEach(async () => {
  await Promise.all(apis.splice(0).map((api) => api.close()));
});

async function api(name: string): Promise<FakeQuotesApi> {
  const started = await startFakeQuotesApi(name);
  apis.push(started);
  return started;
}

/** Moves manual time in small steps, letting sockets and promises run between steps, until `done` settles. */
async function runUntilSettled<T>(
  done: Promise<T>,
  time: ReturnType<typeof manualClock>,
  stepMs: number,
  maxSteps: number,
  beforeStep: (elapsedMs: number) => void = () => {},
): Promise<{ value: T; elapsedMs: number }> {
  let settled = false;
  const watched = done.finally(() => void (settled = true));
  let elapsedMs = 0;
  for (let step = 0; step < maxSteps && !settled; step++) {
    // Real I/O happens between steps (a loopback round trip), so give it a few turns.
    for (let turn = 0; turn < 20 && !settled; turn++) await new Promise((resolve) => setImmediate(resolve));
    if (settled) break;
    beforeStep(elapsedMs);
    time.advance(stepMs);
    elapsedMs += stepMs;
  }
  return { value: await watched, elapsedMs };
}

describe('resilient-client', () => {
  it('hedges a slow primary to the replica, takes its answer and aborts the primary request', async () => {
    const primary = await api('primary');
    const replica = await api('replica');
    primary.setLatency(5_000);
    replica.setLatency(0);
    const time = manualClock();
    const { client } = resilientQuotes({ baseUrl: primary.url, replicaUrl: replica.url, overrides: { clock: time.clock } });
    const { value: quote, elapsedMs } = await runUntilSettled(client.quote('ACME'), time, 10, 500);
    expect(quote).toEqual({ symbol: 'ACME', price: 104, served_by: 'replica' });
    // No latency seen yet: the hedge goes after the 200 ms fallback delay, not before.
    expect(elapsedMs).toBeGreaterThanOrEqual(200);
    for (let i = 0; i < 100 && primary.stats.abandoned === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(primary.stats.abandoned).toBe(1);
  });

  it('waits what the RateLimit header asks after a 429, then succeeds', async () => {
    const primary = await api('primary');
    primary.rateLimitNext(1, 2);
    const time = manualClock();
    const { client, fetch } = resilientQuotes({ baseUrl: primary.url, overrides: { clock: time.clock, hedging: false } });
    const delays: number[] = [];
    fetch.onRetry(({ delayMs }) => delays.push(delayMs));
    // What the server had received whenever time was about to move: nothing new before 2 s.
    const receivedBefore2s = new Set<number>();
    const { value: quote } = await runUntilSettled(client.quote('ACME'), time, 50, 200, (elapsedMs) => {
      if (elapsedMs < 2_000) receivedBefore2s.add(primary.stats.received);
    });
    expect(quote.served_by).toBe('primary');
    expect(delays).toEqual([2_000]);
    expect(primary.stats.received).toBe(2);
    expect([...receivedBefore2s].every((count) => count <= 1)).toBe(true);
  });
});
