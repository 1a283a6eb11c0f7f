import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeQuotesApi {
  readonly url: string;
  /** Requests received, and requests whose client went away before the answer (aborted hedges). */
  readonly stats: { received: number; abandoned: number };
  /** Latency added to each answer, in ms (a function: per request). */
  setLatency(latency: number | (() => number)): void;
  /** Answers the next `count` requests 429 with `RateLimit` headers asking to wait `resetSeconds`. */
  rateLimitNext(count: number, resetSeconds: number): void;
  close(): Promise<void>;
}

/** A third-party quotes API on 127.0.0.1 with tunable latency and rate limiting (IETF headers). */
export async function startFakeQuotesApi(name: string): Promise<FakeQuotesApi> {
  let latency: () => number = () => 0;
  let limited = 0;
  let resetSeconds = 1;
  const stats = { received: 0, abandoned: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    stats.received++;
    if (limited > 0) {
      limited--;
      res.writeHead(429, {
        'content-type': 'application/json',
        'ratelimit-policy': '"per-second";q=10;w=1',
        ratelimit: `"per-second";r=0;t=${resetSeconds}`,
      });
      return res.end(JSON.stringify({ error: 'slow down' }));
    }
    const symbol = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ symbol, price: 100 + symbol.length, served_by: name }));
    }, latency());
    timers.add(timer);
    res.once('close', () => {
      if (!res.writableEnded) {
        stats.abandoned++;
        clearTimeout(timer);
        timers.delete(timer);
      }
    });
    return undefined;
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    setLatency: (next) => void (latency = typeof next === 'number' ? () => next : next),
    rateLimitNext: (count, seconds) => {
      limited = count;
      resetSeconds = seconds;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
