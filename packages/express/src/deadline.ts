import type { NextFunction, Request, Response } from 'express';
import { deadlineDetail, resolveDeadline, TimeoutError, type DeadlineOptions } from '@breakwater/core';
import { prepareProblem, sendProblem, type PreparedProblem } from './problem.ts';
import { clientClosedReason, hasOwnSignal, setRequestSignal } from './request-signal.ts';
import { sealResponse } from './seal-response.ts';

/**
 * A per-request deadline. Each request gets `req.signal`, which aborts with a `TimeoutError` when
 * the deadline passes or with an `AbortError` when the client disconnects; hand it to `fetch`,
 * database drivers and other calls so the work stops with the request. At the deadline, a
 * request whose response has not started is answered with a problem+json 504 (or 503), and late
 * writes from a handler that ignored the signal are dropped. The timer is cleared when the
 * response closes. Nested deadlines follow the outer one: the earliest wins.
 *
 * @example
 * app.use(deadline({ timeout: 2_000 }));
 * app.get('/prices', async (req, res) => {
 *   const upstream = await fetch('http://127.0.0.1:4000/prices', { signal: req.signal });
 *   res.json(await upstream.json());
 * });
 */
export function deadline(options: DeadlineOptions | number): (req: Request, res: Response, next: NextFunction) => void {
  const { timeout, status, clock } = resolveDeadline('deadline()', options);
  const problem = prepareProblem(status, deadlineDetail(timeout));

  return function breakwaterDeadline(req: Request, res: Response, next: NextFunction): void {
    const controller = new AbortController();
    // An outer deadline's signal: its abort reaches this one too. Node's own lazy `req.signal`
    // is not read, which would build a second controller per request.
    const outer = hasOwnSignal(req) ? req.signal : undefined;
    const onOuterAbort = outer === undefined ? undefined : follow(outer, controller);
    setRequestSignal(req, controller.signal);
    const timer = clock.setTimeout(() => expire(res, controller, timeout, problem), timeout);
    // 'close' comes once per response: after 'finish', or when the connection drops first.
    res.on('close', () => {
      clock.clearTimeout(timer);
      if (onOuterAbort !== undefined) outer?.removeEventListener('abort', onOuterAbort);
      if (!res.writableFinished && !controller.signal.aborted) controller.abort(clientClosedReason());
    });
    next();
  };
}

function follow(outer: AbortSignal, controller: AbortController): (() => void) | undefined {
  if (outer.aborted) {
    controller.abort(outer.reason);
    return undefined;
  }
  const onOuterAbort = (): void => controller.abort(outer.reason);
  outer.addEventListener('abort', onOuterAbort, { once: true });
  return onOuterAbort;
}

function expire(res: Response, controller: AbortController, timeout: number, problem: PreparedProblem): void {
  // Answered already; the 'close' that clears everything is on its way.
  if (res.writableEnded) return;
  controller.abort(new TimeoutError(timeout, { policy: 'deadline' }));
  // An abort listener may have answered, or a streamed response has begun: the signal is all
  // that can reach the handler then.
  if (res.headersSent) return;
  sendProblem(res, problem);
  sealResponse(res);
}
