import { abortableDelay, raceAbort, type Clock } from '@breakwater/core';
import type { CacheEntry, LoaderLock, LockLease } from './types.ts';

export interface LockWaitParams<V> {
  readonly lock: LoaderLock;
  /** The namespaced key (what the lock and L2 see). */
  readonly qualifiedKey: string;
  readonly lockTtl: number;
  readonly lockWait: number;
  readonly pollInterval: number;
  readonly clock: Clock;
  /** The flight's signal: aborts on close (a caller's own signal only ends that caller's wait). */
  readonly signal: AbortSignal;
  /** Reads L2 (never rejects: an L2 error is a miss). */
  readonly lookup: () => Promise<CacheEntry<V> | undefined>;
  readonly onLockError: (error: unknown) => void;
}

/** Either the lease to load under, the value another instance stored, or neither (load locally). */
export interface LockWaitOutcome<V> {
  readonly lease?: LockLease;
  readonly value?: CacheEntry<V>;
}

/**
 * Cross-instance single flight. Takes the lock, or polls L2 for the holder's value every
 * `pollInterval` until `lockWait`, retaking the lock if the holder lets go or dies (its lock
 * expires). Gives up (load locally) when the wait runs out or the lock store rejects: an outage of
 * the lock store must never stop loads, only make them local.
 */
export async function lockOrWait<V>(params: LockWaitParams<V>): Promise<LockWaitOutcome<V>> {
  const { lock, qualifiedKey, lockTtl, lockWait, pollInterval, clock, signal, lookup, onLockError } = params;
  const deadline = clock.now() + lockWait;
  const fresh = (entry: CacheEntry<V> | undefined): entry is CacheEntry<V> => entry !== undefined && entry.freshUntil > clock.epochNow();
  // Bounded: every pass waits pollInterval (≥ 1 ms) on the clock, and the loop ends at the deadline.
  for (;;) {
    let lease: LockLease | undefined;
    try {
      lease = await raceAbort(lock.acquire(qualifiedKey, lockTtl), signal);
    } catch (error) {
      if (signal.aborted) throw error;
      onLockError(error);
      return {};
    }
    if (lease !== undefined) {
      // The previous holder may have filled L2 between our first lookup and this acquire.
      const found = await lookup();
      if (!fresh(found)) return { lease };
      lease.release().catch(onLockError);
      return { value: found };
    }
    const left = deadline - clock.now();
    if (left <= 0) return {};
    await abortableDelay(Math.min(pollInterval, left), signal, clock);
    const found = await lookup();
    if (fresh(found)) return { value: found };
  }
}
