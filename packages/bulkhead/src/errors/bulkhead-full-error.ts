import { BulkheadRejectedError } from 'cockatiel';
import { breakwaterErrorBrand, errorBrand, hasBrand } from '@breakwater/core';

const bulkheadFullErrorBrand = errorBrand('ERR_BREAKWATER_BULKHEAD_FULL');

/** What the bulkhead looked like when it turned a caller away. */
export interface BulkheadFullDetails {
  /** The bulkhead's `name`. */
  readonly policy: string;
  /** The concurrency limit at that moment (it moves in adaptive mode). */
  readonly capacity: number;
  /** How many callers the queue holds at most. */
  readonly queue: number;
  /** Calls running at that moment. */
  readonly executing: number;
  /** Callers waiting at that moment. */
  readonly queued: number;
}

/**
 * Thrown by `bulkhead()` when every slot is taken and the queue is full. It extends cockatiel's
 * `BulkheadRejectedError`, so `isBulkheadRejectedError()` (which load-shedding adapters check
 * to answer 503 with `Retry-After`) and code written for cockatiel keep working; it also counts
 * as a `BreakwaterError`.
 */
export class BulkheadFullError extends BulkheadRejectedError implements BulkheadFullDetails {
  override name = 'BulkheadFullError';
  readonly code = 'ERR_BREAKWATER_BULKHEAD_FULL';
  readonly [breakwaterErrorBrand] = true;
  readonly [bulkheadFullErrorBrand] = true;
  readonly policy: string;
  readonly capacity: number;
  readonly queue: number;
  readonly executing: number;
  readonly queued: number;

  constructor(details: BulkheadFullDetails) {
    super(details.capacity, details.queue);
    // cockatiel's message counts slots as "0/N available"; ours says what was running and waiting.
    this.message =
      `Bulkhead capacity exceeded: ${details.executing}/${details.capacity} running, ` +
      `${details.queued}/${details.queue} queued (${details.policy})`;
    this.policy = details.policy;
    this.capacity = details.capacity;
    this.queue = details.queue;
    this.executing = details.executing;
    this.queued = details.queued;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, bulkheadFullErrorBrand);
  }
}

/** True for a {@link BulkheadFullError} from either the ESM or the CJS build. */
export const isBulkheadFullError = (error: unknown): error is BulkheadFullError => hasBrand(error, bulkheadFullErrorBrand);
