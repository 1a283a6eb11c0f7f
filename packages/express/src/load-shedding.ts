import type { NextFunction, Request, Response } from 'express';
import { isBulkheadRejectedError } from '@breakwater/core';
import { prepareProblem, sendProblem } from './problem.ts';
import { clientClosedReason } from './request-signal.ts';
import { resolveLoadShedding, type LoadSheddingOptions as SharedLoadSheddingOptions } from '@breakwater/bulkhead';

/** Load-shedding options (see `@breakwater/bulkhead`); `onShed` receives the Express request. */
export type LoadSheddingOptions = SharedLoadSheddingOptions<Request>;

// Where a request stands. `DONE` covers shed, failed, and closed while still queued.
const QUEUED = 0;
const RUNNING = 1;
const DONE = 2;

/**
 * Load shedding: requests pass through a bulkhead, at most `capacity` run at once, up to `queue`
 * wait in FIFO order, and the rest are answered at once with a problem+json 503 and
 * `Retry-After`. A request holds its slot until its response finishes or its connection closes;
 * a client that disconnects while queued leaves the queue at once.
 *
 * @example
 * app.use(loadShedding({ bulkhead: { capacity: 64, queue: 128 } }));
 */
export function loadShedding(options: LoadSheddingOptions): (req: Request, res: Response, next: NextFunction) => void {
  const { policy, status, retryAfter, detail, onShed } = resolveLoadShedding('loadShedding()', options);
  const problem = prepareProblem(status, detail, { 'retry-after': String(retryAfter) });

  return function breakwaterLoadShedding(req: Request, res: Response, next: NextFunction): void {
    const controller = new AbortController();
    let state = QUEUED;
    let release: (() => void) | undefined;
    // Attached before any async work: the response may end, or the client leave, from here on.
    res.on('close', () => {
      if (state === RUNNING) release?.();
      else if (state === QUEUED) controller.abort(clientClosedReason());
      state = DONE;
    });
    policy
      .execute(() => {
        // The connection closed in the tick the slot came free: give the slot straight back.
        if (state !== QUEUED) return undefined;
        state = RUNNING;
        const held = new Promise<void>((resolve) => (release = resolve));
        next();
        return held;
      }, controller.signal)
      .then(undefined, (error: unknown) => {
        // Closed while queued (the client left, or a deadline answered): nobody to answer. Or
        // admitted already, and the policy failed after handing over: next() must not run twice.
        if (state !== QUEUED) return;
        state = DONE;
        if (!isBulkheadRejectedError(error)) return next(error);
        if (onShed !== undefined) {
          try {
            onShed(req);
          } catch (thrown) {
            return next(thrown);
          }
        }
        sendProblem(res, problem);
      });
  };
}
