import { createServer, type RequestListener, type Server } from 'node:http';

export interface HttpTestServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /** The underlying `http.Server`, for tests that need its events or settings. */
  readonly server: Server;
  /** Drops every open connection (idle keep-alive ones too), then stops listening. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 and an ephemeral port, after ky's test helper. Keep-alive stays
 * on, but `keepAliveTimeout = 0` turns off the server's idle-socket timer (Node then keeps an idle
 * socket until it is closed), so no server timer outlives a test; the server is `unref()`ed so a
 * forgotten one cannot hold the process open, and `close()` calls `closeAllConnections()` before
 * `close()` so it resolves at once, idle sockets and open requests included.
 *
 * ```ts
 * const http = await startHttpServer((req, res) => res.end('ok'));
 * onTestFinished(() => http.close());
 * await fetch(`${http.url}/path`);
 * ```
 */
export async function startHttpServer(handler: RequestListener): Promise<HttpTestServer> {
  const server = createServer(handler);
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`startHttpServer: unexpected address ${String(address)}`);
  const { port } = address;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => {
        // ERR_SERVER_NOT_RUNNING: someone already closed `server` directly; that is fine.
        if (error && (error as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING') reject(error);
        else resolve();
      });
    });
    return closing;
  };
  return { url: `http://127.0.0.1:${port}`, port, server, close, [Symbol.asyncDispose]: close };
}
