// What @breakwater/fetch adds to a request over loopback (keep-alive, one request at a time, a
// 200 so no retry happens): the wrapper's own cost, against plain fetch and against ky and got
// configured for the same retries and timeouts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFetch } from '@breakwater/fetch';
import got from 'got';
import ky from 'ky';
import type { BenchGroup } from '../group.ts';

let server: Server | undefined;

async function listen(): Promise<string> {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server!.once('error', reject);
    server!.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export const group: BenchGroup = {
  title: 'Resilient fetch per request (loopback, keep-alive, 200 response, one request at a time)',
  baseline: 'fetch: plain',
  comparisons: [
    ['breakwater: createFetch() defaults', 'fetch: plain'],
    ['fetch: with an AbortSignal', 'fetch: plain'],
    ['breakwater: createFetch() defaults', 'fetch: with an AbortSignal'],
    ['breakwater: no timeouts', 'fetch: plain'],
    ['breakwater: retry + timeouts only', 'fetch: plain'],
    ['breakwater: createFetch() defaults', 'ky: retry 3 + timeout'],
    ['breakwater: createFetch() defaults', 'got: retry 3 + timeout'],
    ['stub fetch: createFetch() defaults', 'stub fetch: bare'],
  ],
  async setup() {
    const base = await listen();
    let n = 0;
    const url = () => `${base}/items/${n++ % 1000}`;
    // The Microsoft-standard stack: 30 s deadline, 3 retries with budget, per-origin breaker, 10 s attempt timeout.
    const resilient = createFetch();
    const retryOnly = createFetch({ breaker: false, retry: { maxRetries: 3, budget: false } });
    // Retry and breaker, no deadline: no signal reaches fetch, so this is the wrapper alone.
    const noTimeouts = createFetch({ timeout: false, attemptTimeout: false });
    // ky and got with the same retries (3, idempotent methods, 408/429/5xx) and a 10 s per-attempt timeout.
    const kyClient = ky.create({ retry: { limit: 3 }, timeout: 10_000 });
    const gotClient = got.extend({ retry: { limit: 3 }, timeout: { request: 10_000 } });
    // The wrapper's cost alone, with no socket in the way: a fetch that answers a ready Response.
    const ready = (): Promise<Response> => Promise.resolve(new Response(null, { status: 200 }));
    const overStub = createFetch({ fetch: ready });
    return {
      'stub fetch: bare': () => ready(),
      'stub fetch: createFetch() defaults': () => overStub(url()),
      'fetch: plain': async () => (await fetch(url())).text(),
      // The floor for any client with a deadline: undici's own work for a signal it is handed.
      'fetch: with an AbortSignal': async () => (await fetch(url(), { signal: new AbortController().signal })).text(),
      'breakwater: no timeouts': async () => (await noTimeouts(url())).text(),
      'breakwater: createFetch() defaults': async () => (await resilient(url())).text(),
      'breakwater: retry + timeouts only': async () => (await retryOnly(url())).text(),
      'ky: retry 3 + timeout': () => kyClient.get(url()).text(),
      'got: retry 3 + timeout': () => gotClient.get(url()).text(),
    };
  },
  async teardown() {
    const current = server;
    server = undefined;
    if (current === undefined) return;
    current.closeAllConnections();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  },
};
