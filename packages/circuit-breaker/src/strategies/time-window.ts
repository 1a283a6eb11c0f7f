import { assertDuration, assertInteger, assertKnownOptions, assertNumber, withDefaults } from '@breakwater/core';
import { countFrom, ratioReached, type BreakerStrategy, type FailureWindow, type WindowSnapshot, type WindowStats } from './strategy.ts';

export interface TimeWindowOptions {
  /** How far back the window reaches, in ms. Range 1–2147483647. @default 10_000 */
  readonly duration?: number;
  /**
   * How many buckets the window is split into; the oldest bucket rolls off as a whole, so more
   * buckets give a smoother window. Range 1–1000, and at most `duration`. @default 10
   */
  readonly buckets?: number;
  /** The share of failed calls that opens the breaker (`failures / calls >= failureRatio`). Range: above 0, up to 1. @default 0.5 */
  readonly failureRatio?: number;
  /** Calls the window must hold before the ratio is checked (minimum throughput). Range 1–1000000. @default 20 */
  readonly minimumCalls?: number;
}

/** Non-empty buckets; `age` counts buckets back from the one current when the snapshot was taken. */
export interface TimeWindowSnapshot extends WindowSnapshot {
  readonly kind: 'time-window';
  readonly bucketMs: number;
  readonly buckets: readonly TimeWindowBucket[];
}

export interface TimeWindowBucket {
  readonly age: number;
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
}

const DEFAULTS = { duration: 10_000, buckets: 10, failureRatio: 0.5, minimumCalls: 20 } as const;
const KNOWN = ['duration', 'buckets', 'failureRatio', 'minimumCalls'] as const;

/** See {@link timeWindow}. */
export class TimeWindowStrategy implements BreakerStrategy {
  readonly kind = 'time-window';
  readonly duration: number;
  readonly buckets: number;
  readonly failureRatio: number;
  readonly minimumCalls: number;

  constructor(options?: TimeWindowOptions) {
    const config = withDefaults('timeWindow()', DEFAULTS, options);
    assertKnownOptions('timeWindow()', config, KNOWN);
    assertDuration('duration', config.duration, { min: 1 });
    assertInteger('buckets', config.buckets, { min: 1, max: Math.min(1_000, Math.floor(config.duration)) });
    assertNumber('failureRatio', config.failureRatio, { above: 0, max: 1 });
    assertInteger('minimumCalls', config.minimumCalls, { min: 1, max: 1_000_000 });
    this.duration = config.duration;
    this.buckets = config.buckets;
    this.failureRatio = config.failureRatio;
    this.minimumCalls = config.minimumCalls;
  }

  create(): FailureWindow {
    return new TimeWindow(this);
  }
}

/**
 * A ring of buckets, each `duration / buckets` ms wide, with running totals. Buckets are
 * cleared as time passes them (at most `buckets` per call), so a call costs O(1) amortised.
 */
class TimeWindow implements FailureWindow {
  readonly timed = true;
  readonly #width: number;
  readonly #failureRatio: number;
  readonly #minimumCalls: number;
  readonly #calls: Float64Array;
  readonly #failures: Float64Array;
  readonly #slowCalls: Float64Array;
  /** Index (now / width) of the newest bucket. */
  #head = Number.NEGATIVE_INFINITY;
  #totalCalls = 0;
  #totalFailures = 0;
  #totalSlowCalls = 0;

  constructor(strategy: TimeWindowStrategy) {
    this.#width = strategy.duration / strategy.buckets;
    this.#failureRatio = strategy.failureRatio;
    this.#minimumCalls = strategy.minimumCalls;
    this.#calls = new Float64Array(strategy.buckets);
    this.#failures = new Float64Array(strategy.buckets);
    this.#slowCalls = new Float64Array(strategy.buckets);
  }

  record(failed: boolean, slow: boolean, now: number): boolean {
    const slot = this.#slot(this.#advance(now));
    this.#calls[slot]!++;
    this.#totalCalls++;
    if (slow) {
      this.#slowCalls[slot]!++;
      this.#totalSlowCalls++;
    }
    if (!failed) return false;
    this.#failures[slot]!++;
    this.#totalFailures++;
    return ratioReached(this.#totalCalls, this.#totalFailures, this.#minimumCalls, this.#failureRatio);
  }

  stats(now: number): WindowStats {
    this.#advance(now);
    return { calls: this.#totalCalls, failures: this.#totalFailures, slowCalls: this.#totalSlowCalls };
  }

  reset(): void {
    this.#calls.fill(0);
    this.#failures.fill(0);
    this.#slowCalls.fill(0);
    this.#totalCalls = this.#totalFailures = this.#totalSlowCalls = 0;
  }

  toJSON(now: number): TimeWindowSnapshot {
    const head = this.#advance(now);
    const buckets: TimeWindowBucket[] = [];
    for (let age = 0; age < this.#calls.length; age++) {
      const slot = this.#slot(head - age);
      const calls = this.#calls[slot]!;
      if (calls > 0) buckets.push({ age, calls, failures: this.#failures[slot]!, slowCalls: this.#slowCalls[slot]! });
    }
    return { kind: 'time-window', bucketMs: this.#width, buckets };
  }

  restore(snapshot: WindowSnapshot, elapsedMs: number, now: number): boolean {
    const buckets = snapshot['buckets'];
    if (snapshot.kind !== 'time-window' || snapshot['bucketMs'] !== this.#width || !Array.isArray(buckets)) return false;
    if (!buckets.every(isBucket)) return false;
    const head = this.#advance(now);
    const shift = Math.floor(elapsedMs / this.#width);
    for (const bucket of buckets as TimeWindowBucket[]) {
      const age = bucket.age + shift;
      if (age >= this.#calls.length) continue; // rolled off while the snapshot was stored
      const slot = this.#slot(head - age);
      this.#calls[slot]! += bucket.calls;
      this.#failures[slot]! += bucket.failures;
      this.#slowCalls[slot]! += bucket.slowCalls;
      this.#totalCalls += bucket.calls;
      this.#totalFailures += bucket.failures;
      this.#totalSlowCalls += bucket.slowCalls;
    }
    return true;
  }

  /** Moves the head to `now`'s bucket, clearing every bucket it passes; returns the head. */
  #advance(now: number): number {
    const index = Math.floor(now / this.#width);
    const head = this.#head;
    if (index <= head) return head;
    const size = this.#calls.length;
    if (index - head >= size) {
      this.reset();
    } else {
      for (let k = head + 1; k <= index; k++) {
        const slot = this.#slot(k);
        this.#totalCalls -= this.#calls[slot]!;
        this.#totalFailures -= this.#failures[slot]!;
        this.#totalSlowCalls -= this.#slowCalls[slot]!;
        this.#calls[slot] = this.#failures[slot] = this.#slowCalls[slot] = 0;
      }
    }
    this.#head = index;
    return index;
  }

  #slot(index: number): number {
    const size = this.#calls.length;
    return ((index % size) + size) % size;
  }
}

function isBucket(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const { age, calls, failures, slowCalls } = value as Record<string, unknown>;
  const [a, c, f, s] = [countFrom(age), countFrom(calls), countFrom(failures), countFrom(slowCalls)];
  return a !== undefined && c !== undefined && f !== undefined && s !== undefined && f <= c && s <= c;
}

/**
 * Opens when at least `failureRatio` of the calls in the last `duration` ms failed, once the
 * window holds `minimumCalls` calls (resilience4j's TIME_BASED window, Polly's sampling
 * duration, opossum's rolling buckets).
 *
 * @example
 * const breaker = circuitBreaker({ strategy: timeWindow({ duration: 30_000, failureRatio: 0.2, minimumCalls: 50 }) });
 */
export function timeWindow(options?: TimeWindowOptions): TimeWindowStrategy {
  return new TimeWindowStrategy(options);
}
