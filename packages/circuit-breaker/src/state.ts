import { assertInteger, assertNumber, assertOneOf, describeValue, INVALID_OPTION } from '@breakwater/core';
import type { WindowSnapshot } from './strategies/strategy.ts';

/**
 * `closed`: calls run and are counted. `open`: calls fail fast until the break duration has
 * passed. `half-open`: a bounded number of probe calls run, every other call fails fast.
 * `isolated`: held open by hand with `isolate()` until every handle is disposed.
 */
export type CircuitState = 'closed' | 'open' | 'half-open' | 'isolated';

export const CIRCUIT_STATES = ['closed', 'open', 'half-open', 'isolated'] as const satisfies readonly CircuitState[];

/**
 * A breaker's state as plain JSON, from `toJSON()`, for `initialState` or a {@link CircuitStore}.
 * Times are epoch milliseconds, so a snapshot can move between processes (whose monotonic
 * clocks do not agree).
 */
export interface CircuitSnapshot {
  /** Format version; a breaker rejects snapshots of a version it does not know. */
  readonly version: 1;
  readonly state: CircuitState;
  /** When the snapshot was taken (epoch ms); a time window ages its buckets by the time since. */
  readonly takenAt: number;
  /** When an open breaker admits its first probe (epoch ms); null in every other state. */
  readonly halfOpenAt: number | null;
  /** Opens since the breaker last closed; drives `breakDurationBackoff`. */
  readonly opens: number;
  /** The strategy's counts. A window of another kind or shape is dropped on restore. */
  readonly window: WindowSnapshot;
}

/** Checks a snapshot's shape field by field, naming the field in the message. */
export function assertSnapshot(name: string, value: unknown): asserts value is CircuitSnapshot {
  if (value === null || typeof value !== 'object') {
    throw Object.assign(new TypeError(`Expected \`${name}\` to be a snapshot from toJSON(), got ${describeValue(value)}`), { code: INVALID_OPTION });
  }
  const snapshot = value as Record<string, unknown>;
  assertOneOf(`${name}.version`, snapshot['version'], [1] as const);
  assertOneOf(`${name}.state`, snapshot['state'], CIRCUIT_STATES);
  assertNumber(`${name}.takenAt`, snapshot['takenAt'], { min: 0, max: Number.MAX_SAFE_INTEGER });
  if (snapshot['state'] === 'open' || snapshot['halfOpenAt'] !== null) assertNumber(`${name}.halfOpenAt`, snapshot['halfOpenAt'], { min: 0, max: Number.MAX_SAFE_INTEGER });
  assertInteger(`${name}.opens`, snapshot['opens'], { min: 0, max: Number.MAX_SAFE_INTEGER });
  const window = snapshot['window'];
  if (window === null || typeof window !== 'object' || typeof (window as Record<string, unknown>)['kind'] !== 'string') {
    throw Object.assign(new TypeError(`Expected \`${name}.window\` to be an object with a string \`kind\`, got ${describeValue(window)}`), {
      code: INVALID_OPTION,
    });
  }
}

/** What `breaker.stats` reports: the window's counts and the half-open bookkeeping. */
export interface CircuitStats {
  readonly state: CircuitState;
  /** Calls in the strategy's window (for `consecutive`, the current run of failures). */
  readonly calls: number;
  /** Calls in the window that counted as failures, slow calls included. */
  readonly failures: number;
  /** Calls in the window slower than `slowCallDuration`. */
  readonly slowCalls: number;
  /** `failures / calls`, 0 for an empty window. */
  readonly failureRatio: number;
  /** Probe calls running now (half-open only). */
  readonly probesRunning: number;
  /** Probe calls that succeeded in this half-open period. */
  readonly probesSucceeded: number;
  /** Opens since the breaker last closed. */
  readonly opens: number;
  /** Milliseconds until an open breaker admits a probe (rounded up); undefined in other states. */
  readonly retryAfterMs: number | undefined;
}
