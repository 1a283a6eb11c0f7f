import type { NextFunction, Request, Response } from 'express';
import { HttpResponseCache, type HeaderMap, type ResponseCacheOptions } from '@breakwater/cache';
import { recordResponse } from './response-cache-recorder.ts';

/** Response caching options (see `@breakwater/cache`); `key` receives the Express request. */
export type ResponseCachingOptions = ResponseCacheOptions<Request>;

/** The default key: the `Host` header, lower-cased, then the path and query as the client sent them. */
function hostAndUrl(req: Request): string {
  return `${(req.headers.host ?? '').toLowerCase()}${req.originalUrl}`;
}

/**
 * Shared HTTP response caching for GET (and HEAD, answered from a stored GET) under RFC 9111:
 * a response is stored only with explicit freshness (`s-maxage`, `max-age`, `Expires`, or the
 * `defaultTtlMs` you set), one of the cacheable statuses, and never with `Set-Cookie`, `private`,
 * `no-store`, `no-cache` or `Vary: *`. Requests with `Authorization` or `Cookie` neither read nor
 * fill the cache unless you allow it. `Vary` is honoured; a hit carries `Age` and `X-Cache: HIT`.
 * Mount it after authentication (a hit skips everything mounted after it) and before
 * compression. Concurrent misses for one URL each run the handler unless `coalesceMisses` is on.
 *
 * @example
 * const responses = createCache({ name: 'http', l1: { max: 1_000 } });
 * app.get('/products', responseCache({ cache: responses }), (req, res) => {
 *   res.set('cache-control', 'public, max-age=60').json(listProducts());
 * });
 */
export function responseCache(options: ResponseCachingOptions): (req: Request, res: Response, next: NextFunction) => void {
  const engine = new HttpResponseCache<Request>('responseCache()', options, hostAndUrl);
  const { statusHeader } = engine;

  return function breakwaterResponseCache(req: Request, res: Response, next: NextFunction): void {
    const plan = engine.plan(req.method, req.headers);
    if (plan.action === 'ignore') return next();
    let key: string | undefined;
    if (plan.action === 'lookup' || plan.store) {
      try {
        key = engine.keyOf(req);
      } catch (error) {
        return next(error);
      }
    }
    // What is on the response already was set for this request by earlier middleware: not stored.
    const preset: HeaderMap = { ...(res.getHeaders() as HeaderMap) };
    const record = (): void => {
      if (!plan.store || key === undefined) return;
      const primary = key;
      recordResponse(res, engine.options.maxBodyBytes, (response) => {
        engine.store({ key: primary, plan, requestHeaders: req.headers, presetHeaders: preset, response });
      });
    };
    if (plan.action === 'bypass') {
      if (statusHeader !== undefined) res.setHeader(statusHeader, 'BYPASS');
      record();
      return next();
    }
    engine.lookupOrLead(key!, req.headers, plan, plan.head).then(({ hit, done }) => {
      if (hit !== undefined) {
        if (!res.destroyed && !res.headersSent) res.writeHead(hit.status, hit.headers).end(hit.body);
        return;
      }
      // Leading a coalesced miss: the waiters look again once this response is over, stored or not.
      if (done !== undefined) res.once('close', done);
      if (statusHeader !== undefined) res.setHeader(statusHeader, 'MISS');
      record();
      next();
    }, next);
  };
}
