import { assertFunction, assertInteger, assertKnownOptions, assertOneOf, withDefaults } from '@breakwater/core';
import { toBulkhead, type BulkheadInput, type BulkheadLike } from './to-bulkhead.ts';

/** The status a shed request gets. */
export type SheddingStatus = 503 | 429;

/** Load-shedding options shared by the Express middleware and the Fastify plugin. */
export interface LoadSheddingOptions<Req = unknown> {
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
   * Called for each shed request before it is answered (to log or count). What it throws goes to
   * the framework's error handling (Express `next(err)`, Fastify's error handler) instead of the answer.
   * @default undefined
   */
  readonly onShed?: (request: Req) => void;
}

/** Load-shedding options checked and resolved, ready for an adapter. */
export interface ResolvedLoadShedding<Req> {
  readonly policy: BulkheadLike;
  readonly status: SheddingStatus;
  readonly retryAfter: number;
  /** The problem+json `detail` of a shed answer. */
  readonly detail: string;
  readonly onShed: ((request: Req) => void) | undefined;
}

const DEFAULTS = { retryAfter: 1, status: 503 } as const;
const KNOWN = ['bulkhead', 'retryAfter', 'status', 'onShed'] as const;

/** Checks an adapter's load-shedding options once, at construction; `factory` names it in errors. */
export function resolveLoadShedding<Req>(factory: string, options: LoadSheddingOptions<Req>): ResolvedLoadShedding<Req> {
  const config = withDefaults(factory, DEFAULTS, options);
  assertKnownOptions(factory, config, KNOWN);
  assertInteger('retryAfter', config.retryAfter, { min: 0, max: 86_400 });
  assertOneOf('status', config.status, [503, 429] as const);
  if (config.onShed !== undefined) assertFunction('onShed', config.onShed);
  const seconds = config.retryAfter;
  return {
    policy: toBulkhead(config.bulkhead, 'bulkhead'),
    status: config.status,
    retryAfter: seconds,
    detail: `The server is at capacity; retry after ${seconds} second${seconds === 1 ? '' : 's'}.`,
    onShed: config.onShed,
  };
}
