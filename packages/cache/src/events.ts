/**
 * Event payloads. Fields bound to metric labels (`cache`, `tier`, `result`, `operation`, `ok`,
 * `final`) take a closed set of values; `key` is there for logs and is never a metric label.
 */

/** Emitted by `onGet` for each L1 decision (one per `get`/`getOrLoad` call) and each L2 lookup. */
export interface CacheGetEvent {
  readonly cache: string;
  readonly tier: 'l1' | 'l2';
  /**
   * `hit`: a fresh entry. `stale`: an entry past its freshness but inside its stale window
   * (served at once under stale-while-revalidate, or kept as the fallback of a reload under grace).
   * `miss`: nothing usable.
   */
  readonly result: 'hit' | 'stale' | 'miss';
  /** The key (without namespace). Never a metric label. */
  readonly key: string;
}

/** Emitted by `onLoad` when a loader call settles (one per flight, not per waiter). */
export interface CacheLoadEvent {
  readonly cache: string;
  /** Loader duration on the cache's clock, in ms. */
  readonly durationMs: number;
  readonly ok: boolean;
  /** The loader failed (or timed out) and the stale value was served instead (grace). */
  readonly servedStale: boolean;
  /** Why it failed, when `ok` is false. */
  readonly error?: unknown;
  /** Never a metric label. */
  readonly key: string;
}

/** The shared parts the core talks to; each failure is treated as a miss or a skipped write. */
export type L2Operation = 'get' | 'set' | 'delete' | 'deleteTags' | 'deletePrefix' | 'serialize' | 'deserialize' | 'publish' | 'lock';

/** Emitted by `onL2Error` when the L2 tier, the invalidation bus or the loader lock rejects. */
export interface CacheL2ErrorEvent {
  readonly cache: string;
  readonly operation: L2Operation;
  readonly error: unknown;
}

/** One write handed to the write-behind sink. */
export interface WriteBehindEntry<V> {
  readonly key: string;
  readonly value: V;
}

/** Emitted by `onWriteFailed` each time a write-behind batch fails. */
export interface WriteFailedEvent<V> {
  readonly cache: string;
  readonly error: unknown;
  /** 0 for the first try of the batch. */
  readonly attempt: number;
  /** Writes in the batch. */
  readonly size: number;
  /**
   * True when retries are exhausted: the batch is given up, its keys are evicted from the cache
   * (unless a newer write for them is queued) and `entries` holds what the source never got, for
   * a dead-letter store. Never silent.
   */
  readonly final: boolean;
  /** The writes given up; only when `final`. */
  readonly entries?: readonly WriteBehindEntry<V>[];
}

/** Emitted by `onWriteRetried` before a failed batch is tried again. */
export interface WriteRetriedEvent {
  readonly cache: string;
  /** The attempt about to run (1 for the first retry). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly size: number;
}

/** Emitted by `onFlush` when a write-behind batch reached the source of truth. */
export interface FlushEvent {
  readonly cache: string;
  /** Writes in the batch. */
  readonly size: number;
  /** Tries it took (1 when the first succeeded). */
  readonly attempts: number;
  /** Time from the first try to success, in ms. */
  readonly durationMs: number;
  /** Writes still accepted and not yet persisted. */
  readonly pending: number;
}
