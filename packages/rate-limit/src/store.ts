import type { Algorithm } from './algorithms/algorithm.ts';
import type { LimitDescription } from './types.ts';

/**
 * What a limiter hands its store, built once per limiter: the store keeps state per limiter
 * and key, and runs `algorithm` over every limit atomically. A store shared by processes must
 * tell limiters apart by `id`, `algorithm` and `limits` together (the Redis store hashes them
 * into its keys): two limiters with one name but different limits must never share state.
 */
export interface LimiterSpec {
  /** The limiter's name: a namespace inside the store. */
  readonly id: string;
  readonly algorithm: Algorithm;
  readonly limits: readonly LimitDescription[];
  /** Count a denied request too (it then pushes the next admission further out). */
  readonly consumeWhenDenied: boolean;
}

/**
 * The answer of a store, flat so the Redis script can return it as is:
 * `[allowed (1|0), remaining₀, resetMs₀, retryAfterMs₀, remaining₁, …]`, integers, one triple per
 * limit in configuration order. `remaining` and `resetMs` describe the state after the decision
 * (nothing counted when denied, unless `consumeWhenDenied`); `remaining` is 0 for a limit that
 * denied; `retryAfterMs` is 0 when admitted, and when denied the wait until the same cost fits
 * that limit in the state after the decision (so with `consumeWhenDenied` it includes the
 * counted request, and a limit that admitted may need a wait too).
 */
export type StoreReply = readonly number[];

/** Where a limiter keeps its state: `memoryStore()` or `redisStore()` (`@breakwater/rate-limit/redis`). */
export interface RateLimitStore {
  /** `'memory'`, `'redis'`, … for logs and events. */
  readonly kind: string;
  /**
   * Decides for `key` and `cost` under every limit of `spec`, atomically. A synchronous store
   * (memory) returns the reply directly; a remote one returns a promise that settles within its
   * own time bound and rejects when it cannot decide. A synchronous reply may be a buffer the
   * store reuses: read it before the next call.
   */
  decide(spec: LimiterSpec, key: string, cost: number): StoreReply | Promise<StoreReply>;
  /** Releases what the store owns (never a client it was given). */
  close?(): Promise<void>;
}
