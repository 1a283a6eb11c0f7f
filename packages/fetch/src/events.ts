import type { CircuitBreakerPolicy } from '@breakwater/circuit-breaker';
import type { DelaySource, GiveUpReason } from '@breakwater/retry';
import type { FetchAttempt } from './attempt.ts';

/** Emitted by `onAttempt` when an attempt ends (response headers, or an error). */
export interface FetchAttemptEvent {
  /** The client's `name`. */
  readonly client: string;
  readonly method: string;
  readonly attempt: Readonly<FetchAttempt>;
}

/** Emitted by `onRetry` before the delay of a retry round starts (so fake time can advance by `delayMs`). */
export interface FetchRetryEvent {
  readonly client: string;
  readonly method: string;
  readonly origin: string;
  /** The retry round about to start: 1 for the first retry. */
  readonly retry: number;
  readonly delayMs: number;
  /** `retry-after` when the delay came from `Retry-After` or `RateLimit`, else `backoff`. */
  readonly source: DelaySource;
  /** The status that is retried, when a response arrived. */
  readonly status?: number;
  /** The error that is retried, when none did. */
  readonly error?: unknown;
}

/** Emitted by `onHedge` when a hedged attempt is sent. */
export interface FetchHedgeEvent {
  readonly client: string;
  readonly method: string;
  /** The origin the hedge goes to. */
  readonly origin: string;
  /** 1 for the first hedge of a round. */
  readonly hedge: number;
  readonly retry: number;
  /** Why it was sent now: the hedging delay passed, or the previous attempt failed. */
  readonly trigger: 'delay' | 'failure';
  /** The hedging delay used for this round, in ms. */
  readonly delayMs: number;
}

/** Emitted by `onGiveUp` once per call that retried and ended without a good response. */
export interface FetchGiveUpEvent {
  readonly client: string;
  readonly method: string;
  readonly origin: string;
  /** Rounds made, the first included. */
  readonly rounds: number;
  readonly reason: GiveUpReason;
}

/** Emitted by `onBreaker` when the registry creates the breaker of a new key, e.g. to bind it to metrics. */
export interface FetchBreakerEvent {
  readonly client: string;
  readonly key: string;
  readonly breaker: CircuitBreakerPolicy;
}
