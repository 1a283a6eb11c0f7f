import { describeValue, invalidOption, type PolicyContext } from '@breakwater/core';
import { bulkhead } from './bulkhead.ts';
import type { BulkheadOptions } from './bulkhead-options.ts';

/**
 * What load shedding needs from a bulkhead: `execute(fn, signal)` that runs `fn` when a slot is
 * free, queues while there is room, and otherwise rejects with an error that
 * `isBulkheadRejectedError()` recognises. Breakwater's and cockatiel's bulkheads both qualify.
 */
export interface BulkheadLike {
  execute<T>(fn: (context: PolicyContext) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T>;
}

/** A ready bulkhead, `bulkhead()` options, or a capacity. */
export type BulkheadInput = BulkheadLike | BulkheadOptions | number;

/**
 * Turns an adapter's `bulkhead` option into a policy: a ready one is used as it is; options or a
 * capacity build one, whose checks then throw at once, naming `optionName` when the shape is wrong.
 */
export function toBulkhead(value: unknown, optionName = 'bulkhead'): BulkheadLike {
  if (typeof value === 'number') return bulkhead(value);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    if (typeof (value as Partial<BulkheadLike>).execute === 'function') return value as BulkheadLike;
    return bulkhead(value as BulkheadOptions);
  }
  throw invalidOption(`Expected \`${optionName}\` to be a bulkhead policy, bulkhead() options or a capacity, got ${describeValue(value)}`);
}
