import type { RateLimitDecision } from './types.ts';

/** Emitted by `onDecision` for every answered `check()` (and so every `execute()`). */
export interface RateLimitDecisionEvent {
  /** The limiter's `name`: a bounded metric label. */
  readonly limiter: string;
  readonly allowed: boolean;
  readonly cost: number;
  /** Name of the binding limit: a bounded metric label. */
  readonly policy: string;
  readonly source: RateLimitDecision['source'];
  /**
   * The key decided for. For logs and debugging only: **never use it as a metric label** (one
   * series per client IP or user exhausts a metrics backend).
   */
  readonly key: string;
}

/** How a limiter answers while its store is failing: see `RateLimiterOptions.outage`. */
export type OutageMode = 'memory-fallback' | 'fail-open' | 'fail-closed';

/** Emitted by `onStoreError` for every failed store call (error, timeout). */
export interface RateLimitStoreErrorEvent {
  readonly limiter: string;
  readonly error: unknown;
  /** What the limiter does about it. */
  readonly mode: OutageMode;
}

/** Emitted by `onDegraded` when a store failure makes the limiter stop relying on its store. */
export interface RateLimitDegradedEvent {
  readonly limiter: string;
  readonly mode: OutageMode;
  /** The failure that started the outage. */
  readonly error: unknown;
}

/** Emitted by `onRecovered` when a probe reaches the store again and the limiter uses it again. */
export interface RateLimitRecoveredEvent {
  readonly limiter: string;
  readonly mode: OutageMode;
  /** How long the limiter ran without its store, in ms. */
  readonly degradedMs: number;
}
