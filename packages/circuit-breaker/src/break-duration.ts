import { assertDuration, assertKnownOptions, assertNumber, MAX_TIMER_MS, withDefaults } from '@breakwater/core';

/** Longer breaks for a breaker that keeps failing its probes. */
export interface BreakDurationBackoff {
  /** Each re-open from half-open multiplies the previous break by this. Range 1–100. @default 2 */
  readonly factor?: number;
  /** The longest break, in ms. Range `breakDuration`–2147483647. @default 10 × breakDuration, at most 2147483647 */
  readonly max?: number;
}

const KNOWN = ['factor', 'max'] as const;

/**
 * Computes the break for the n-th open since the breaker last closed:
 * `min(breakDuration × factor^(n−1), max)`. Without a backoff every break is `breakDuration`.
 */
export class BreakDurations {
  readonly base: number;
  readonly factor: number;
  readonly max: number;

  constructor(breakDuration: number, backoff: BreakDurationBackoff | undefined) {
    this.base = breakDuration;
    if (backoff === undefined) {
      this.factor = 1;
      this.max = breakDuration;
      return;
    }
    const config = withDefaults('breakDurationBackoff', { factor: 2, max: Math.min(10 * breakDuration, MAX_TIMER_MS) }, backoff);
    assertKnownOptions('breakDurationBackoff', config, KNOWN);
    assertNumber('breakDurationBackoff.factor', config.factor, { min: 1, max: 100 });
    assertDuration('breakDurationBackoff.max', config.max, { min: breakDuration });
    this.factor = config.factor;
    this.max = config.max;
  }

  /** The break after the `opens`-th open in a row (1 for the first). */
  forOpen(opens: number): number {
    if (this.factor === 1 || opens <= 1) return this.base;
    return Math.min(this.base * this.factor ** (opens - 1), this.max);
  }
}
