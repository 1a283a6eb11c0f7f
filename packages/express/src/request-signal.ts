import type { Request } from 'express';

declare global {
  // Express's own augmentation point. Node ≥ 24.16 types `IncomingMessage#signal` already; this
  // keeps `req.signal` typed for projects on older `@types/node`.
  namespace Express {
    interface Request {
      /**
       * Aborts when the request's deadline passes (reason: a `TimeoutError`) or the client
       * disconnects first (reason: an `AbortError` DOMException). Set by `deadline()`; use
       * `requestSignal(req)` where that middleware may not be mounted.
       */
      readonly signal: AbortSignal;
    }
  }
}

/** The abort reason when the client goes away before the response is complete (an `AbortError`, as `fetch` uses). */
export function clientClosedReason(): DOMException {
  return new DOMException('The client closed the connection before the response was complete', 'AbortError');
}

/** True when a Breakwater middleware has already given this request its own signal. */
export function hasOwnSignal(req: Request): boolean {
  return Object.hasOwn(req, 'signal');
}

/**
 * Gives the request its signal. Node ≥ 24.16 defines `signal` as a getter on every request's
 * prototype (aborting only on disconnect), so a plain assignment would throw: the signal becomes
 * an own property of this request instead.
 */
export function setRequestSignal(req: Request, signal: AbortSignal): void {
  Object.defineProperty(req, 'signal', { value: signal, writable: true, configurable: true, enumerable: false });
}

/**
 * The request's signal: the one `deadline()` set, or else a new one that aborts when the client
 * disconnects before the response is complete. Created at most once per request, and the same
 * on every Node version (Node's own `req.signal` exists only from 24.16).
 */
export function requestSignal(req: Request): AbortSignal {
  if (hasOwnSignal(req)) return req.signal;
  const controller = new AbortController();
  setRequestSignal(req, controller.signal);
  const res = req.res;
  if (res === undefined) return controller.signal;
  if (res.destroyed) {
    if (!res.writableFinished) controller.abort(clientClosedReason());
    return controller.signal;
  }
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(clientClosedReason());
  });
  return controller.signal;
}
