import { assertInteger, assertKnownOptions, withDefaults } from '@breakwater/core';
import { countFrom, type BreakerStrategy, type FailureWindow, type WindowSnapshot, type WindowStats } from './strategy.ts';

export interface ConsecutiveOptions {
  /** Consecutive failures that open the breaker. Range 1–1000000. @default 5 */
  readonly threshold?: number;
}

export interface ConsecutiveSnapshot extends WindowSnapshot {
  readonly kind: 'consecutive';
  readonly failures: number;
  readonly slowCalls: number;
}

const DEFAULTS = { threshold: 5 } as const;
const KNOWN = ['threshold'] as const;

/** See {@link consecutive}. */
export class ConsecutiveStrategy implements BreakerStrategy {
  readonly kind = 'consecutive';
  readonly threshold: number;

  constructor(options?: ConsecutiveOptions) {
    const config = withDefaults('consecutive()', DEFAULTS, options);
    assertKnownOptions('consecutive()', config, KNOWN);
    assertInteger('threshold', config.threshold, { min: 1, max: 1_000_000 });
    this.threshold = config.threshold;
  }

  create(): FailureWindow {
    return new ConsecutiveWindow(this.threshold);
  }
}

/** The window is the current run of failures: a success empties it. */
class ConsecutiveWindow implements FailureWindow {
  readonly timed = false;
  readonly #threshold: number;
  #failures = 0;
  #slowCalls = 0;

  constructor(threshold: number) {
    this.#threshold = threshold;
  }

  record(failed: boolean, slow: boolean): boolean {
    if (!failed) {
      this.#failures = 0;
      this.#slowCalls = 0;
      return false;
    }
    if (slow) this.#slowCalls++;
    return ++this.#failures >= this.#threshold;
  }

  stats(): WindowStats {
    return { calls: this.#failures, failures: this.#failures, slowCalls: this.#slowCalls };
  }

  reset(): void {
    this.#failures = 0;
    this.#slowCalls = 0;
  }

  toJSON(): ConsecutiveSnapshot {
    return { kind: 'consecutive', failures: this.#failures, slowCalls: this.#slowCalls };
  }

  restore(snapshot: WindowSnapshot): boolean {
    const failures = countFrom(snapshot['failures']);
    const slowCalls = countFrom(snapshot['slowCalls']);
    if (snapshot.kind !== 'consecutive' || failures === undefined || slowCalls === undefined || slowCalls > failures) return false;
    // A lower threshold since the snapshot: keep the run just short of it, the next failure opens.
    this.#failures = Math.min(failures, this.#threshold - 1);
    this.#slowCalls = Math.min(slowCalls, this.#failures);
    return true;
  }
}

/**
 * Opens after `threshold` failures in a row; any success starts the count again. The simplest
 * strategy and the default (cockatiel's `ConsecutiveBreaker`, Failsafe's `withFailureThreshold`).
 *
 * @example
 * const breaker = circuitBreaker({ strategy: consecutive({ threshold: 3 }) });
 */
export function consecutive(options?: ConsecutiveOptions): ConsecutiveStrategy {
  return new ConsecutiveStrategy(options);
}
