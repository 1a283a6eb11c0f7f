import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the upstream does right now; the demo switches modes on a schedule. */
export type UpstreamMode = 'healthy' | 'flaky' | 'slow' | 'down';

export interface FlakyUpstream {
  readonly url: string;
  /** Requests the upstream has received, by the status it answered (0 = hung up). */
  readonly received: Map<number, number>;
  setMode(mode: UpstreamMode): void;
  close(): Promise<void>;
}

export interface FlakyUpstreamOptions {
  /** Share of requests answered 503 in `flaky` mode. @default 0.3 */
  readonly failureRate?: number;
  /** Latency of every answer in `slow` mode, in ms. @default 400 */
  readonly slowMs?: number;
  /** Randomness (seeded in tests). @default Math.random */
  readonly random?: () => number;
}

/**
 * A local HTTP server that misbehaves on demand: 503s with `Retry-After`, latency spikes, or a full
 * outage. It listens on 127.0.0.1 and a free port; nothing leaves the machine.
 */
export async function startFlakyUpstream(options: FlakyUpstreamOptions = {}): Promise<FlakyUpstream> {
  const { failureRate = 0.3, slowMs = 400, random = Math.random } = options;
  let mode: UpstreamMode = 'healthy';
  const received = new Map<number, number>();
  const count = (status: number): void => void received.set(status, (received.get(status) ?? 0) + 1);
  const pending = new Set<ReturnType<typeof setTimeout>>();

  const server: Server = createServer((req, res) => {
    const answer = (status: number, body: object, headers: Record<string, string> = {}): void => {
      count(status);
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    if (mode === 'down') return answer(503, { error: 'maintenance' }, { 'retry-after': '1' });
    if (mode === 'flaky' && random() < failureRate) return answer(503, { error: 'overloaded' });
    if (mode === 'slow') {
      const timer = setTimeout(() => {
        pending.delete(timer);
        if (!res.destroyed) answer(200, { ok: true, path: req.url, slow: true });
      }, slowMs);
      pending.add(timer);
      // The client gave up (its deadline fired): stop the work instead of answering nobody.
      res.once('close', () => {
        if (!res.writableEnded) {
          clearTimeout(timer);
          pending.delete(timer);
          count(0);
        }
      });
      return undefined;
    }
    return answer(200, { ok: true, path: req.url });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    received,
    setMode: (next) => void (mode = next),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of pending) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
