/** The algorithms a limiter can run; every limit of one limiter uses the same one. */
export type AlgorithmName = 'gcra' | 'token-bucket' | 'sliding-window' | 'fixed-window';

export const ALGORITHM_NAMES: readonly AlgorithmName[] = ['gcra', 'token-bucket', 'sliding-window', 'fixed-window'];

/**
 * Float slack for comparisons: GCRA adds `windowMs / quota` `quota` times, which may land a hair
 * above `windowMs` (3 × 333.33… ms). The Lua script uses the same constant, so memory and Redis
 * decide alike to the bit.
 */
export const EPSILON = 1e-6;

/** What one limit says about one request, before the limiter combines the limits. */
export interface StepResult {
  allowed: boolean;
  /** Ms until the same cost fits this limit if nothing is counted (0 when it fits now). */
  retryAfterMs: number;
  /**
   * Ms until the same cost fits this limit once this request is counted (0 when it would still
   * fit). What a denial reports under `consumeWhenDenied`: the denied request is counted, so a
   * wait computed from the state before it would be one cost short, and a client that waits
   * exactly that long would be denied (and counted) again, forever.
   */
  retryAfterCounted: number;
  /** Units available now, before this request is counted. */
  remainingBefore: number;
  /** Units available once this request is counted. */
  remainingAfter: number;
  /** `resetMs` if nothing is counted. */
  resetBefore: number;
  /** `resetMs` once this request is counted. */
  resetAfter: number;
}

/**
 * One algorithm, as pure arithmetic over a slice of numbers (`slots` per limit) so that the
 * memory store keeps a single `Float64Array` per key. An empty slice holds `NaN` in its first
 * slot. `step` reads the state at `at` in `state`, writes the counted state at `at` in `next`
 * and fills `out`. The Redis Lua script is a line-by-line port of these functions.
 */
export interface Algorithm {
  readonly name: AlgorithmName;
  readonly slots: number;
  step(state: Float64Array, next: Float64Array, at: number, now: number, quota: number, windowMs: number, cost: number, out: StepResult): void;
}
