/**
 * The contract between the cache core (`@breakwater/cache`: L1, cache-aside, write-through,
 * write-behind) and its Redis parts (`@breakwater/cache/redis`: the L2 tier, the invalidation bus
 * and the cross-instance loader lock). The core depends on these shapes only, never on ioredis.
 */
import type { Disposable } from '@breakwater/core';

/** A cached value with its freshness, as tiers hold it. Times are epoch ms (`clock.epochNow()`). */
export interface CacheEntry<V> {
  readonly value: V;
  /** Until when the entry is fresh. */
  readonly freshUntil: number;
  /** Until when the entry may still be served stale (stale-while-revalidate, stale-if-error); ≥ freshUntil. */
  readonly staleUntil: number;
  /** Tags for tag-based invalidation. */
  readonly tags?: readonly string[];
}

/**
 * The shared L2 tier. Values cross it already serialised by the cache's serializer (a string).
 * Keys and tags arrive fully qualified (`<namespace>:<key>`, `<namespace>:<tag>`). An implementation bounds every call by its own
 * command timeout and sheds calls while its breaker is open, rejecting at once; the core treats a
 * rejection as a miss (get) or a skipped write (set/delete) and reports it in an event.
 */
export interface RemoteTier {
  get(key: string): Promise<CacheEntry<string> | undefined>;
  /** Stores the entry; it expires from the tier at `staleUntil` at the latest (a tier may cap how long it keeps it). */
  set(key: string, entry: CacheEntry<string>): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
  /** Deletes every entry carrying one of `tags`. */
  deleteTags(tags: readonly string[]): Promise<void>;
  /** Deletes every entry whose key starts with `prefix` (namespace included). */
  deletePrefix(prefix: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * What one instance tells the others so they drop stale L1 entries. Keys, prefixes and tags travel
 * qualified with the sender's namespace (`<namespace>:…`); a cache drops the ones of other namespaces.
 */
export type InvalidationMessage =
  | { readonly kind: 'keys'; readonly keys: readonly string[] }
  | { readonly kind: 'tags'; readonly tags: readonly string[] }
  | { readonly kind: 'prefix'; readonly prefix: string }
  /**
   * Drop every L1 entry, whatever its namespace. Never sent by another instance: a bus delivers
   * it to its own listeners when it may have missed messages (its subscriber reconnected, and
   * pub/sub does not replay what was published meanwhile).
   */
  | { readonly kind: 'all' };

/** Cross-instance invalidation (Redis pub/sub). A publisher does not receive its own messages. */
export interface InvalidationBus {
  publish(message: InvalidationMessage): Promise<void>;
  subscribe(listener: (message: InvalidationMessage) => void): Disposable;
  close(): Promise<void>;
}

/** A held loader lock; `release()` deletes it only while this holder still owns it. */
export interface LockLease {
  release(): Promise<void>;
}

/**
 * Cross-instance single flight: at most one instance loads a key at a time. `acquire` resolves
 * `undefined` when another instance holds the lock (the caller then waits for the value to appear
 * in L2, bounded, and falls back to loading locally); it rejects when the lock store is down
 * (the caller falls back to local single flight).
 */
export interface LoaderLock {
  acquire(key: string, ttlMs: number): Promise<LockLease | undefined>;
}

/**
 * Turns values into the strings the L2 tier stores and back. Called only on the way to and from
 * L2; L1 holds the values themselves (so a value read from L1 is the very object that was set).
 */
export interface Serializer<V = unknown> {
  serialize(value: V): string;
  deserialize(text: string): V;
}
