/**
 * A strategy decides when a closed breaker opens. It is an immutable description (safe to share
 * between breakers, e.g. in a registry's `create`); each breaker asks it for its own
 * {@link FailureWindow}, which holds the counts.
 */
export interface BreakerStrategy {
  /** Identifies the window format in snapshots, e.g. `'count-window'`. */
  readonly kind: string;
  /** A fresh, empty window for one breaker. */
  create(): FailureWindow;
}

/** The counts one breaker keeps while closed. */
export interface FailureWindow {
  /** True when `record()` and `stats()` read `now`; otherwise the breaker passes 0 and skips the clock. */
  readonly timed: boolean;
  /**
   * Records one call. `failed` is true for a counted failure (a handled error, a result the
   * `handleResult` filter rejected, or a slow call); `slow` marks a slow call. Returns true
   * when the breaker should open.
   */
  record(failed: boolean, slow: boolean, now: number): boolean;
  /** The counts currently in the window. */
  stats(now: number): WindowStats;
  /** Empties the window (the breaker closed). */
  reset(): void;
  /** Plain JSON data that {@link FailureWindow.restore} accepts. */
  toJSON(now: number): WindowSnapshot;
  /**
   * Loads a snapshot taken `elapsedMs` ago. Returns false, leaving the window empty, when the
   * snapshot belongs to another kind or shape of window (the configuration changed).
   */
  restore(snapshot: WindowSnapshot, elapsedMs: number, now: number): boolean;
}

export interface WindowStats {
  /** Calls in the window. */
  readonly calls: number;
  /** Calls in the window that counted as failures, slow calls included. */
  readonly failures: number;
  /** Calls in the window that were slower than `slowCallDuration`. */
  readonly slowCalls: number;
}

/** A window's state as JSON; `kind` matches the strategy's. */
export interface WindowSnapshot {
  readonly kind: string;
  readonly [field: string]: unknown;
}

/** The failure ratio check shared by both windows: the minimum throughput first, then the ratio. */
export function ratioReached(calls: number, failures: number, minimumCalls: number, failureRatio: number): boolean {
  // Division, not `failures >= ratio * calls`: 0.1 * 30 is 3.0000000000000004.
  return calls >= minimumCalls && failures / calls >= failureRatio;
}

/** A count from a snapshot: a non-negative integer, or undefined when it is not one. */
export function countFrom(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}
