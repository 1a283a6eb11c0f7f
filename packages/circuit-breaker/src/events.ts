import type { CircuitState } from './state.ts';

/** Why a breaker opened. */
export type BreakReason =
  /** A handled error tipped the strategy over, or failed a probe. */
  | { readonly kind: 'error'; readonly error: unknown }
  /** A value the `handleResult` filter counts as a failure did. */
  | { readonly kind: 'result'; readonly value: unknown }
  /** A call slower than `slowCallDuration` did; `durationMs` is how long it took. */
  | { readonly kind: 'slow'; readonly durationMs: number }
  /** `isolate()` was called. */
  | { readonly kind: 'isolated' };

export interface StateChangeEvent {
  readonly policy: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
}

export interface BreakEvent {
  readonly policy: string;
  readonly reason: BreakReason;
  /** How long this break lasts before a probe is admitted, in ms; undefined when isolated. */
  readonly breakDurationMs: number | undefined;
}

export interface HalfOpenEvent {
  readonly policy: string;
}

export interface ResetEvent {
  readonly policy: string;
}

export interface RejectedEvent {
  readonly policy: string;
  readonly state: 'open' | 'half-open' | 'isolated';
}
