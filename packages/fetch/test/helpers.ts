import type { IncomingMessage, ServerResponse } from 'node:http';
import { startHttpServer, type HttpTestServer } from 'breakwater-test-utils';
import { onTestFinished } from 'vitest';

export type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

export interface TestServer extends HttpTestServer {
  /** Requests received so far. */
  readonly hits: IncomingMessage[];
  /** TCP connections accepted and still open. */
  readonly openConnections: () => number;
  /** TCP connections accepted so far. */
  readonly connections: () => number;
}

/** A loopback server closed when the test ends; `handler` gets the 0-based request number. */
export async function serve(handler: Handler): Promise<TestServer> {
  const hits: IncomingMessage[] = [];
  const server = await startHttpServer((req, res) => {
    const n = hits.length;
    hits.push(req);
    handler(req, res, n);
  });
  let open = 0;
  let total = 0;
  server.server.on('connection', (socket) => {
    open++;
    total++;
    socket.once('close', () => open--);
  });
  onTestFinished(() => server.close());
  return Object.assign(server, { hits, openConnections: () => open, connections: () => total });
}

/** Reads the request body as text. */
export function bodyOf(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

export function reply(res: ServerResponse, status: number, headers: Record<string, string> = {}, body = String(status)): void {
  res.writeHead(status, { 'content-type': 'text/plain', ...headers });
  res.end(body);
}

/** Resolves once `predicate` holds, checking on every macrotask; bounded so a bug fails instead of hanging. */
export async function until(predicate: () => boolean, what: string, limit = 5_000): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Steps a manual clock past each pending timer until `pending` settles (at most `steps` times). */
export async function drive<T>(manual: { advance(ms: number): void; readonly pending: number }, pending: Promise<T>, steps = 10, stepMs = 1_000): Promise<T> {
  let done = false;
  const result = pending.finally(() => (done = true));
  result.catch(() => {});
  for (let i = 0; i < steps && !done; i++) {
    await until(() => done || manual.pending > 0, 'a timer or the end');
    manual.advance(stepMs);
  }
  return result;
}
