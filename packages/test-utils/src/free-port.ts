import { createServer } from 'node:net';

/**
 * A TCP port that is free on `host` right now: listens on port 0, reads the port the OS picked,
 * and closes. Another process can still take it before the caller binds it, so a fixture that
 * spawns a server on it should retry on `EADDRINUSE` (as `startRedis()` does).
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`freePort: unexpected address ${String(address)}`));
        return;
      }
      server.close((error) => (error ? reject(error) : resolve(address.port)));
    });
  });
}
