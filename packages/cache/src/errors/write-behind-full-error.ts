import { BreakwaterError, errorBrand, hasBrand } from '@breakwater/core';

const writeBehindFullErrorBrand = errorBrand('ERR_BREAKWATER_WRITE_BEHIND_FULL');

/** What the write-behind queue looked like when it turned a write away. */
export interface WriteBehindFullDetails {
  /** The cache's `name`. */
  readonly cache: string;
  /** Writes accepted and not yet persisted at that moment. */
  readonly pending: number;
  /** The queue's bound (`writeBehind.maxQueue`). */
  readonly maxQueue: number;
  /** How long the caller waited for room (0 with `whenFull: 'reject'`). */
  readonly waitedMs: number;
}

/**
 * Rejects a write-behind `set()` when the queue is full: at once with `whenFull: 'reject'`, or
 * after `maxWait` with `whenFull: 'wait'`. The write was not accepted: neither the cache nor the
 * source of truth got it, so the caller can retry or fail the request (adapters answer 503).
 */
export class WriteBehindFullError extends BreakwaterError implements WriteBehindFullDetails {
  override name = 'WriteBehindFullError';
  readonly [writeBehindFullErrorBrand] = true;
  readonly cache: string;
  readonly pending: number;
  readonly maxQueue: number;
  readonly waitedMs: number;

  constructor(details: WriteBehindFullDetails) {
    const waited = details.waitedMs > 0 ? ` after waiting ${details.waitedMs}ms` : '';
    super(
      `Write-behind queue full${waited}: ${details.pending}/${details.maxQueue} writes pending (${details.cache})`,
      'ERR_BREAKWATER_WRITE_BEHIND_FULL',
    );
    this.cache = details.cache;
    this.pending = details.pending;
    this.maxQueue = details.maxQueue;
    this.waitedMs = details.waitedMs;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, writeBehindFullErrorBrand);
  }
}

/** True for a {@link WriteBehindFullError} from either the ESM or the CJS build. */
export const isWriteBehindFullError = (error: unknown): error is WriteBehindFullError => hasBrand(error, writeBehindFullErrorBrand);
