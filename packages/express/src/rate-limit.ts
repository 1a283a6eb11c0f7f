import type { NextFunction, Request, Response } from 'express';
import { combinedHeaderValue, decideHttpRateLimit, resolveHttpRateLimit, warnPermissiveTrustProxy, type HttpAnswer, type HttpRateLimitOptions, type ResolvedHttpRateLimit } from '@breakwater/rate-limit';
import { clientClosedReason } from './request-signal.ts';

/** Rate-limiting options (see `@breakwater/rate-limit`); `key`, `cost`, `skip` and `onLimited` receive the Express request. */
export type RateLimitingOptions = HttpRateLimitOptions<Request>;

/**
 * Rate limiting for Express 5. Each request is counted under its key (by default the client
 * address from Express's `trust proxy` setting, `req.ip`, IPv6 grouped by /56) and gets
 * `RateLimit-Policy` and `RateLimit` headers (draft-ietf-httpapi-ratelimit-headers); a request
 * over the limit is answered 429 with `Retry-After` and a problem+json body, and never reaches
 * the handler. A limiter that fails closed during a store outage answers 503 with `Retry-After`.
 * Mount it app-wide with `app.use()` or on one route; each mount counts with its own limiter.
 *
 * Behind a proxy, set `trust proxy` to what it is (a hop count, or the proxies' addresses):
 * `true` lets clients pick their own `X-Forwarded-For` address and is warned about once.
 *
 * @example
 * const limiter = rateLimit({ limits: { quota: 100, windowMs: 60_000, name: 'per-minute' } });
 * app.use(rateLimiting({ limiter }));
 * app.post('/login', rateLimiting({ limiter: loginLimiter, key: (req) => String(req.body.user) }), login);
 */
export function rateLimiting(options: RateLimitingOptions): (req: Request, res: Response, next: NextFunction) => void {
  const config = resolveHttpRateLimit<Request>('rateLimiting()', options);
  let trustChecked = false;

  return function breakwaterRateLimiting(req: Request, res: Response, next: NextFunction): void {
    // The setting belongs to the app that mounts this, known at the first request only.
    if (!trustChecked) {
      trustChecked = true;
      if (req.app.get('trust proxy') === true) warnPermissiveTrustProxy("Express's `trust proxy` setting `true`");
    }
    limit(config, req, res, next);
  };
}

function clientAddress(req: Request): string | undefined {
  return req.ip;
}

function limit(config: ResolvedHttpRateLimit<Request>, req: Request, res: Response, next: NextFunction): void {
  const controller = new AbortController();
  // Attached before any async work: the client may leave while the limiter decides (a Redis
  // round trip); its signal tells the limiter to stop waiting.
  const onClose = (): void => {
    if (!res.writableFinished) controller.abort(clientClosedReason());
  };
  res.once('close', onClose);
  decideHttpRateLimit(config, req, clientAddress, controller.signal).then(
    (outcome) => {
      res.off('close', onClose);
      // Closed while deciding: there is nobody to answer, and the handler must not run for
      // nobody. Or answered meanwhile (a deadline mounted earlier): that answer stands.
      if (controller.signal.aborted || res.headersSent) return;
      switch (outcome.action) {
        case 'skip':
          return next();
        case 'allow':
          for (const name in outcome.headers) res.setHeader(name, combinedHeaderValue(name, res.getHeader(name), outcome.headers[name]!));
          return next();
        case 'deny':
          if (config.onLimited !== undefined) {
            try {
              config.onLimited(req, outcome.decision);
            } catch (thrown) {
              return next(thrown);
            }
          }
          return send(res, outcome.answer);
        case 'unavailable':
          return send(res, outcome.answer);
      }
    },
    (error: unknown) => {
      res.off('close', onClose);
      if (!controller.signal.aborted && !res.headersSent) next(error);
    },
  );
}

/**
 * Writes through Node's own response methods, like the other Breakwater answers; an app-wide
 * limiter's RateLimit items already on the response stay in front of this one's.
 */
function send(res: Response, answer: HttpAnswer): void {
  const headers: Record<string, string> = { 'content-length': String(Buffer.byteLength(answer.body)) };
  for (const name in answer.headers) headers[name] = combinedHeaderValue(name, res.getHeader(name), answer.headers[name]!);
  res.writeHead(answer.status, headers).end(answer.body);
}
