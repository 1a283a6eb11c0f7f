import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '@breakwater/core';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** What draining needs from a server: `http.Server` and `https.Server` fit. */
export interface DrainableServer {
  close(callback?: (error?: Error) => void): unknown;
  closeIdleConnections(): void;
  closeAllConnections(): void;
  on(event: 'request', listener: RequestListener): unknown;
  off(event: 'request', listener: RequestListener): unknown;
}

/**
 * Tracks one server's in-flight responses from construction on, so a drain can tell each of
 * them to close its connection when it ends: a keep-alive socket that is mid-request is not
 * idle, and `server.close()` alone would wait for it until `keepAliveTimeout`.
 */
export class ServerDrain {
  readonly #server: DrainableServer;
  readonly #inFlight = new Set<ServerResponse>();
  #draining = false;

  constructor(server: DrainableServer) {
    this.#server = server;
    server.on('request', this.#onRequest);
  }

  /** Responses not yet closed. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * Stops accepting, closes idle keep-alive sockets, lets in-flight requests finish (each
   * answered with `Connection: close`), and after `timeoutMs` drops whatever is left. Resolves
   * once the server closed; `true` when connections had to be dropped.
   */
  drain(timeoutMs: number, clock: Clock, onForced: () => void): Promise<boolean> {
    this.#draining = true;
    for (const res of this.#inFlight) closeConnectionAfter(res);
    return new Promise<boolean>((resolve) => {
      let forced = false;
      const timer = clock.setTimeout(() => {
        forced = true;
        onForced();
        this.#server.closeAllConnections();
      }, timeoutMs);
      // An error here is ERR_SERVER_NOT_RUNNING: closed already, which is what we want.
      this.#server.close(() => {
        clock.clearTimeout(timer);
        resolve(forced);
      });
      this.#server.closeIdleConnections();
    });
  }

  /** Drops every connection at once (the overall deadline passed). */
  forceClose(): void {
    this.#server.closeAllConnections();
  }

  /** Removes the request listener. */
  dispose(): void {
    this.#server.off('request', this.#onRequest);
    this.#inFlight.clear();
  }

  readonly #onRequest = (_req: IncomingMessage, res: ServerResponse): void => {
    if (this.#draining) closeConnectionAfter(res);
    this.#inFlight.add(res);
    res.once('close', () => {
      this.#inFlight.delete(res);
      // The response is done and its socket idle now: close it rather than wait for keep-alive to lapse.
      if (this.#draining) this.#server.closeIdleConnections();
    });
  };
}

function closeConnectionAfter(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
}
