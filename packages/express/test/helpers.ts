import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express, NextFunction, Request, Response } from 'express';
import { deferred, Inbox } from 'breakwater-test-utils';

export { deferred, get, Inbox, manualClock, observed, read, settle, type Deferred } from 'breakwater-test-utils';

/** A running server on a real loopback socket. */
export interface Running {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** Listens on an ephemeral loopback port; `close()` drops every connection and waits. */
export async function listen(app: Express): Promise<Running> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  server.keepAliveTimeout = 0;
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A request that reached a gated handler: the test decides when it goes on. */
export interface Entry {
  readonly req: Request;
  readonly res: Response;
  /** Lets the handler go on (it then answers 200 with `{ id }`). */
  release(): void;
}

/**
 * A handler that waits until the test releases it, then answers `{ id }`. Every request that
 * reaches it is announced on `entries`.
 */
export function gatedHandler(): { handler: (req: Request, res: Response) => Promise<void>; entries: Inbox<Entry> } {
  const entries = new Inbox<Entry>();
  const handler = async (req: Request, res: Response): Promise<void> => {
    const gate = deferred();
    entries.push({ req, res, release: () => gate.resolve() });
    await gate.promise;
    res.json({ id: req.query['id'] ?? null });
  };
  return { handler, entries };
}

/** Records every response (mount first) so a test can wait for the server side to close it. */
export function responseTracker(): { middleware: (req: Request, res: Response, next: NextFunction) => void; closed: Inbox<Response>; sockets: Set<Request['socket']> } {
  const closed = new Inbox<Response>();
  const sockets = new Set<Request['socket']>();
  return {
    middleware: (req, res, next) => {
      sockets.add(req.socket);
      res.on('close', () => closed.push(res));
      next();
    },
    closed,
    sockets,
  };
}
