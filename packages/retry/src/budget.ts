import { assertDuration, assertInteger, assertKnownOptions, assertMethods, assertNumber, systemClock, withDefaults, type Clock } from '@breakwater/core';

export interface RetryBudgetOptions {
  /**
   * Retries allowed per call in the window, on top of `minRetries`: at 0.2 a dependency that
   * fails for everyone receives about 1.2× its calls instead of (1 + maxRetries)× (Envoy's and
   * failsafe-go's 20 %). Range 0–1.
   * @default 0.2
   */
  readonly ratio?: number;
  /** Retries allowed in any window whatever the traffic, so a quiet service can still retry. Integer from 0. @default 10 */
  readonly minRetries?: number;
  /** The sliding window, in ms, kept as 10 buckets. Range 10–2147483647. @default 10000 */
  readonly window?: number;
  /** Time source for the window. @default systemClock */
  readonly clock?: Clock;
}

/** What the window holds now. */
export interface RetryBudgetStats {
  readonly calls: number;
  readonly retries: number;
  /** Retries that may start now: minRetries + ratio × calls − retries, at least 0. */
  readonly available: number;
}

/** What a retry policy needs from a budget; implement it to share one across processes. */
export interface RetryBudgetLike {
  /** Called once per call (not per retry), on the success path too: keep it cheap. */
  recordCall(): void;
  /** Takes a retry from the budget; false when it is spent and the retry must not happen. */
  tryAcquireRetry(): boolean;
}

const DEFAULTS = { ratio: 0.2, minRetries: 10, window: 10_000, clock: systemClock } as const;
const KNOWN = Object.keys(DEFAULTS);
const BUCKETS = 10;
/**
 * recordCall() reads the clock once per this many calls, not on every call. Calls recorded in
 * between land in the bucket of the last reading, which is never newer than the truth, so they
 * leave the window early: the budget can only err towards fewer retries, never more.
 */
const CALLS_PER_CLOCK_READ = 64;
/** 0.1 × 3 is 0.30000000000000004: compare allowances with a little slack. */
const EPSILON = 1e-9;

/**
 * A retry budget (Finagle, Envoy, failsafe-go): in any sliding window, retries may not exceed
 * `minRetries + ratio × calls`. Share one between the policies that call the same dependency, so
 * that when it fails for everyone, retries stop multiplying its load (a retry storm) while
 * isolated failures are still retried.
 */
export class RetryBudget implements RetryBudgetLike {
  readonly ratio: number;
  readonly minRetries: number;
  readonly window: number;
  readonly #bucketMs: number;
  readonly #clock: Clock;
  readonly #calls = new Float64Array(BUCKETS);
  readonly #retries = new Float64Array(BUCKETS);
  #callSum = 0;
  #retrySum = 0;
  /** The absolute bucket number (time / bucket length) of the last clock reading, and its slot. */
  #bucket: number;
  #slot: number;
  #unsampled = 0;

  constructor(options?: RetryBudgetOptions) {
    const config = withDefaults('retryBudget()', DEFAULTS, options);
    assertKnownOptions('retryBudget()', config, KNOWN);
    assertNumber('ratio', config.ratio, { min: 0, max: 1 });
    assertInteger('minRetries', config.minRetries, { min: 0, max: Number.MAX_SAFE_INTEGER });
    assertDuration('window', config.window, { min: BUCKETS });
    assertMethods('clock', config.clock, ['now']);
    this.ratio = config.ratio;
    this.minRetries = config.minRetries;
    this.window = config.window;
    this.#bucketMs = config.window / BUCKETS;
    this.#clock = config.clock;
    this.#bucket = Math.floor(config.clock.now() / this.#bucketMs);
    this.#slot = slotOf(this.#bucket);
  }

  recordCall(): void {
    this.#calls[this.#slot]! += 1;
    this.#callSum += 1;
    if (++this.#unsampled === CALLS_PER_CLOCK_READ) this.#advance();
  }

  tryAcquireRetry(): boolean {
    this.#advance();
    if (this.#retrySum + 1 > this.minRetries + this.ratio * this.#callSum + EPSILON) return false;
    this.#retries[this.#slot]! += 1;
    this.#retrySum += 1;
    return true;
  }

  stats(): RetryBudgetStats {
    this.#advance();
    const available = Math.floor(this.minRetries + this.ratio * this.#callSum - this.#retrySum + EPSILON);
    return { calls: this.#callSum, retries: this.#retrySum, available: Math.max(0, available) };
  }

  /** Reads the clock and empties the buckets that slid out of the window since the last reading. */
  #advance(): void {
    this.#unsampled = 0;
    const bucket = Math.floor(this.#clock.now() / this.#bucketMs);
    const passed = bucket - this.#bucket;
    if (passed <= 0) return;
    for (let i = 1; i <= Math.min(passed, BUCKETS); i++) {
      const slot = slotOf(this.#bucket + i);
      this.#callSum -= this.#calls[slot]!;
      this.#retrySum -= this.#retries[slot]!;
      this.#calls[slot] = 0;
      this.#retries[slot] = 0;
    }
    this.#bucket = bucket;
    this.#slot = slotOf(bucket);
  }
}

/** The ring slot of an absolute bucket number; an injected clock may well start below zero. */
function slotOf(bucket: number): number {
  return ((bucket % BUCKETS) + BUCKETS) % BUCKETS;
}

/**
 * A retry budget to share between the retry policies that call one dependency.
 *
 * @example
 * const payments = retryBudget({ ratio: 0.1 });
 * const charge = retry({ budget: payments });
 * const refund = retry({ budget: payments, maxRetries: 5 });
 */
export function retryBudget(options?: RetryBudgetOptions): RetryBudget {
  return new RetryBudget(options);
}
