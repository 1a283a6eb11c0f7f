import type { L2UnavailableReason } from './errors/l2-unavailable-error.ts';

/** Emitted by `onError`: a Redis call failed or was shed. Fields are bounded: never a key. */
export interface RedisErrorEvent {
  /** `get`, `set`, `delete`, `deleteTags`, `deletePrefix`, `publish`, `subscribe`, `message`, `acquire`, `release`, `connection`. */
  readonly operation: string;
  /** `breaker-open`, `timeout`, `not-connected`, `command-failed`, `closed`, or `invalid-message` for a bus payload we could not read. */
  readonly reason: L2UnavailableReason | 'invalid-message';
  readonly error: unknown;
}

/** Emitted by `onBreakerOpen`: consecutive availability failures reached the threshold (or a probe failed). */
export interface BreakerOpenEvent {
  /** Consecutive failures counted, the last one included. */
  readonly failures: number;
  /** How long calls are shed before one probe is let through, in ms. */
  readonly openMs: number;
  /** The failure that opened it. */
  readonly error: unknown;
}

/** Emitted by `onBreakerClose`: a probe succeeded after the breaker had opened. */
export interface BreakerCloseEvent {
  /** How long the breaker shed calls, in ms (from opening to the successful probe). */
  readonly openForMs: number;
}

/** Emitted by the bus's `onResubscribe`: the subscriber connection came back after a drop. */
export interface ResubscribeEvent {
  /** Whether the bus told its listeners to drop every L1 entry (`clearOnReconnect`). */
  readonly cleared: boolean;
}
