// HTTP cases for in-process benchmarks: a server on a loopback port and a keep-alive client that
// sends one request at a time and reads the whole response, so a case measures one round trip.
import { Agent, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  /** One GET (or a request of `method` with `body`) to `path`; resolves with the status once the body has been read. */
  send(path: string, init?: { method?: string; headers?: Record<string, string>; body?: string }): Promise<number>;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 with an ephemeral port (never a fixed one). */
export async function listenLoopback(server: Server): Promise<LoopbackServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return loopbackClient(server);
}

/** A client of a server that already listens on loopback (e.g. Fastify's `app.server` after `listen()`). */
export function loopbackClient(server: Server): LoopbackServer {
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    send: (path, init = {}) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers, agent }, (res) => {
          res.on('data', () => {});
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(init.body);
      }),
    async close() {
      agent.destroy();
      server.closeAllConnections();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
