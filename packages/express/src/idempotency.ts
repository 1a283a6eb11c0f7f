import type { NextFunction, Request, Response } from 'express';
import {
  checkScope,
  decideRequest,
  httpFingerprint,
  idempotencyProblem,
  isStoredHttpResponse,
  resolveIdempotencyHttp,
  toReplay,
  type IdempotencyHttpOptions,
  type IdempotencyProblem,
  type ResolvedIdempotencyHttp,
} from '@breakwater/idempotency';
import { prepareProblem, sendProblem } from './problem.ts';
import { clientClosedReason, requestSignal } from './request-signal.ts';
import { ResponseCapture } from './idempotency-capture.ts';

/** Idempotency-key options (see `@breakwater/idempotency`); `scope` receives the Express request. */
export type IdempotencyKeysOptions = IdempotencyHttpOptions<Request>;

/**
 * Idempotency keys for Express (IETF `Idempotency-Key`): the first POST/PATCH with a key runs
 * and its response (status, safe headers, body) is stored; a retry with the same key, method,
 * URL and body gets that response again with `Idempotent-Replayed: true`, and the handler does
 * not run. Answers problem+json 400 (missing when `required`, or malformed key), 409 while the
 * first request is in flight (`Retry-After`), 422 when the key comes with a different request,
 * 503 when the store is down (nothing runs unclaimed). A 5xx, a 401 or 403 (about the caller,
 * not the operation), or a response too large to store, releases the key. Mount it after the
 * body parser and after authentication, with a `scope`. If the claim is lost or the idempotency
 * object closes while the handler runs, the middleware stops waiting: nothing is stored, and the
 * handler's response goes to the client unstored when it ends.
 *
 * @example
 * const keys = idempotency({ store: memoryStore() });
 * app.use(express.json());
 * app.post('/orders', idempotencyKeys({ idempotency: keys, scope: (req) => req.get('x-tenant') }), createOrder);
 */
export function idempotencyKeys(options: IdempotencyKeysOptions): (req: Request, res: Response, next: NextFunction) => void {
  const resolved = resolveIdempotencyHttp<Request>('idempotencyKeys()', options);
  const { scope } = resolved;

  return function breakwaterIdempotencyKeys(req: Request, res: Response, next: NextFunction): void {
    const decision = decideRequest(resolved, req.method, req.headersDistinct[resolved.headerKey]);
    if (decision.action === 'pass') return next();
    if (decision.action === 'answer') return answer(res, decision.problem);
    // Every failure, in scope() or in the guard itself (a body whose toJSON() throws), reaches
    // Express's error handling: none becomes an unhandled rejection leaving the request hanging.
    let scoped: unknown;
    try {
      scoped = scope === undefined ? undefined : scope(req);
    } catch (error) {
      return next(error);
    }
    Promise.resolve(scoped)
      .then(checkScope)
      .then((value) => guard(resolved, req, res, next, decision.key, value))
      .catch(next);
  };
}

function guard(resolved: ResolvedIdempotencyHttp<Request>, req: Request, res: Response, next: NextFunction, key: string, scope: string | undefined): Promise<void> {
  const fingerprint = httpFingerprint({ method: req.method, url: req.originalUrl, contentType: req.headers['content-type'], body: req.body as unknown });
  let capture: ResponseCapture | undefined;
  return resolved.idempotency
    .run(
      key,
      fingerprint,
      (context) => {
        const own = new ResponseCapture(res, resolved.maxBodyBytes);
        capture = own;
        // The client left while the key was being claimed: nobody to run the request for.
        if (res.destroyed) {
          own.abandon(clientClosedReason());
          return own.outcome;
        }
        // The claim was lost (a renewal failed for a whole lease, maxHoldMs) or the idempotency
        // object closed: stop waiting, store nothing. The handler keeps running (Express cannot
        // stop it); its response goes to the client unstored when it ends, and a retry runs again.
        const onAbort = (): void => own.abort(context.signal.reason);
        context.signal.addEventListener('abort', onAbort, { once: true });
        void own.outcome.then(
          () => context.signal.removeEventListener('abort', onAbort),
          () => context.signal.removeEventListener('abort', onAbort),
        );
        next();
        return own.outcome;
      },
      { scope, signal: requestSignal(req), shouldStore: resolved.shouldStore },
    )
    .then(
      ({ value, replayed }) => {
        if (capture !== undefined) return capture.release();
        if (!replayed || !isStoredHttpResponse(value)) return next(new TypeError('The idempotency record holds no stored HTTP response'));
        if (res.destroyed) return;
        const replay = toReplay(value);
        res.writeHead(replay.status, replay.headers).end(replay.body);
      },
      (error: unknown) => {
        // The handler ran: its own answer goes out (the key was released, or the store failed
        // after the work was done and the record expires with its lease).
        if (capture !== undefined) return capture.release();
        if (res.destroyed) return;
        const problem = idempotencyProblem(error, resolved.header);
        if (problem === undefined) return next(error);
        answer(res, problem);
      },
    );
}

function answer(res: Response, problem: IdempotencyProblem): void {
  const headers: Record<string, string> = problem.retryAfter === undefined ? {} : { 'retry-after': String(problem.retryAfter) };
  sendProblem(res, prepareProblem(problem.status, problem.detail, headers));
}
