import { assertDuration } from '@breakwater/core';
import { assertFreshness, type FreshnessOptions } from './cache-options.ts';

/** What a loader receives. */
export interface LoaderContext {
  readonly key: string;
  /** Aborts when the loader times out (`timeout`) or the cache closes. Not tied to any one caller. */
  readonly signal: AbortSignal;
}

export type Loader<V> = (context: LoaderContext) => Promise<V> | V;

export interface GetOrLoadOptions<V> extends FreshnessOptions<V> {
  /** Tags stored with the loaded entry, for `deleteTag()`. */
  readonly tags?: readonly string[];
  /** Loader deadline for this call, in ms (`Infinity`: none). @default the cache's `timeout` */
  readonly timeout?: number;
  /** Ends this caller's wait (with `signal.reason`); the load goes on for the other waiters. */
  readonly signal?: AbortSignal;
}

export interface SetOptions<V> extends FreshnessOptions<V> {
  /** Tags stored with the entry, for `deleteTag()`. */
  readonly tags?: readonly string[];
  /** Ends a write-through write or a write-behind wait for room (with `signal.reason`). */
  readonly signal?: AbortSignal;
}

/**
 * Checks the per-call options of a `getOrLoad` that may start a flight and returns the error, so
 * a bad value rejects that call (a hit never reads them, so it never pays for the check).
 */
export function invalidGetOrLoadOptions(options: GetOrLoadOptions<never>): unknown {
  try {
    assertFreshness('getOrLoad() option ', options);
    if (options.timeout !== undefined && options.timeout !== Infinity) assertDuration('getOrLoad() option timeout', options.timeout, { min: 1 });
    return undefined;
  } catch (error) {
    return error;
  }
}
