import type { NextFunction, Request, Response } from 'express';
import { assertFunction, assertInteger, assertKnownOptions, assertOneOf, isBulkheadRejectedError, withDefaults } from '@breakwater/core';
import { prepareProblem, sendProblem } from './problem.ts';
import { clientClosedReason } from './request-signal.ts';
import { toBulkhead, type BulkheadInput } from '@breakwater/bulkhead';

/** The status a shed request gets. */
export type SheddingStatus = 503 | 429;

export interface LoadSheddingOptions {
  /**
   * The bulkhead requests pass through: a ready policy (Breakwater's `bulkhead()` or cockatiel's),
   * `bulkhead()` options such as `{ capacity: 64, queue: 128 }`, or a capacity. Required.
   */
  readonly bulkhead: BulkheadInput;
  /** Seconds sent in `Retry-After` with a shed request. Integer 0–86400. @default 1 */
  readonly retryAfter?: number;
  /** The status a shed request gets: 503, or 429 for clients that only back off on it. @default 503 */
  readonly status?: SheddingStatus;
  /**
   * Called for each shed request before it is answered (to log or count). What it throws goes
   * to `next(err)` instead of the answer.
   * @default undefined
   */
  readonly onShed?: (req: Request) => void;
}

const DEFAULTS = { retryAfter: 1, status: 503 } as const;
const KNOWN = ['bulkhead', 'retryAfter', 'status', 'onShed'] as const;

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
  const config = withDefaults('loadShedding()', DEFAULTS, options);
  assertKnownOptions('loadShedding()', config, KNOWN);
  assertInteger('retryAfter', config.retryAfter, { min: 0, max: 86_400 });
  assertOneOf('status', config.status, [503, 429] as const);
  const onShed = config.onShed;
  if (onShed !== undefined) assertFunction('onShed', onShed);
  const policy = toBulkhead(config.bulkhead, 'bulkhead');
  const seconds = config.retryAfter;
  const problem = prepareProblem(
    config.status,
    `The server is at capacity; retry after ${seconds} second${seconds === 1 ? '' : 's'}.`,
    { 'retry-after': String(seconds) },
  );

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
