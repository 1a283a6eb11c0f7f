import type { PolicyContext } from '@breakwater/core';
import type { BulkheadPolicy } from '@breakwater/bulkhead';

/** A call that settles only when told to; records the signal it got and whether it started. */
export interface Gate<T> {
  readonly fn: (context: PolicyContext) => Promise<T>;
  readonly started: () => boolean;
  readonly signal: () => AbortSignal | undefined;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function gate<T = string>(): Gate<T> {
  let resolve: ((value: T) => void) | undefined;
  let reject: ((error: unknown) => void) | undefined;
  let signal: AbortSignal | undefined;
  let started = false;
  return {
    fn: (context) => {
      started = true;
      signal = context.signal;
      return new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
    },
    started: () => started,
    signal: () => signal,
    resolve: (value) => resolve!(value),
    reject: (error) => reject!(error),
  };
}

/** Tracks a promise's outcome without awaiting it, so a test can check what has settled so far. */
export function track<T>(promise: Promise<T>): { readonly state: 'pending' | 'resolved' | 'rejected'; readonly value: T | undefined; readonly error: unknown } {
  const outcome = { state: 'pending' as 'pending' | 'resolved' | 'rejected', value: undefined as T | undefined, error: undefined as unknown };
  promise.then(
    (value) => {
      outcome.state = 'resolved';
      outcome.value = value;
    },
    (error: unknown) => {
      outcome.state = 'rejected';
      outcome.error = error;
    },
  );
  return outcome;
}

/** Lets every queued promise reaction run (not time: fake timers stay where they are). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** Every counter a bulkhead exposes, for one-line comparisons. */
export function state(policy: BulkheadPolicy) {
  const { executing, queued, capacity, queueCapacity, executionSlots, queueSlots } = policy;
  return { executing, queued, capacity, queueCapacity, executionSlots, queueSlots };
}
