import { assertInteger, assertKnownOptions, assertNumber, withDefaults } from '@breakwater/core';
import { countFrom, ratioReached, type BreakerStrategy, type FailureWindow, type WindowSnapshot, type WindowStats } from './strategy.ts';

export interface CountWindowOptions {
  /** How many of the most recent calls the window holds. Range 1–1000000. @default 100 */
  readonly size?: number;
  /** The share of failed calls that opens the breaker (`failures / calls >= failureRatio`). Range: above 0, up to 1. @default 0.5 */
  readonly failureRatio?: number;
  /** Calls the window must hold before the ratio is checked (minimum throughput). Range 1–`size`. @default size */
  readonly minimumCalls?: number;
}

/** Each call as one code, oldest first: bit 0 set for a counted failure, bit 1 for a slow call. */
export interface CountWindowSnapshot extends WindowSnapshot {
  readonly kind: 'count-window';
  readonly outcomes: readonly number[];
}

const FAILED = 1;
const SLOW = 2;
const KNOWN = ['size', 'failureRatio', 'minimumCalls'] as const;

/** See {@link countWindow}. */
export class CountWindowStrategy implements BreakerStrategy {
  readonly kind = 'count-window';
  readonly size: number;
  readonly failureRatio: number;
  readonly minimumCalls: number;

  constructor(options?: CountWindowOptions) {
    const sized = withDefaults('countWindow()', { size: 100, failureRatio: 0.5 }, options);
    assertKnownOptions('countWindow()', sized, KNOWN);
    assertInteger('size', sized.size, { min: 1, max: 1_000_000 });
    const config = withDefaults('countWindow()', { minimumCalls: sized.size }, sized);
    assertNumber('failureRatio', config.failureRatio, { above: 0, max: 1 });
    assertInteger('minimumCalls', config.minimumCalls, { min: 1, max: sized.size });
    this.size = sized.size;
    this.failureRatio = config.failureRatio;
    this.minimumCalls = config.minimumCalls;
  }

  create(): FailureWindow {
    return new CountWindow(this.size, this.failureRatio, this.minimumCalls);
  }
}

/** A ring of the last `size` outcomes with running totals, so a call costs O(1). */
class CountWindow implements FailureWindow {
  readonly timed = false;
  readonly #ring: Uint8Array;
  readonly #failureRatio: number;
  readonly #minimumCalls: number;
  #next = 0;
  #calls = 0;
  #failures = 0;
  #slowCalls = 0;

  constructor(size: number, failureRatio: number, minimumCalls: number) {
    this.#ring = new Uint8Array(size);
    this.#failureRatio = failureRatio;
    this.#minimumCalls = minimumCalls;
  }

  record(failed: boolean, slow: boolean): boolean {
    this.#push((failed ? FAILED : 0) | (slow ? SLOW : 0));
    return failed && ratioReached(this.#calls, this.#failures, this.#minimumCalls, this.#failureRatio);
  }

  stats(): WindowStats {
    return { calls: this.#calls, failures: this.#failures, slowCalls: this.#slowCalls };
  }

  reset(): void {
    this.#ring.fill(0);
    this.#next = this.#calls = this.#failures = this.#slowCalls = 0;
  }

  toJSON(): CountWindowSnapshot {
    const ring = this.#ring;
    const outcomes: number[] = [];
    const first = this.#calls < ring.length ? 0 : this.#next;
    for (let i = 0; i < this.#calls; i++) outcomes.push(ring[(first + i) % ring.length]!);
    return { kind: 'count-window', outcomes };
  }

  restore(snapshot: WindowSnapshot): boolean {
    const outcomes = snapshot['outcomes'];
    if (snapshot.kind !== 'count-window' || !Array.isArray(outcomes)) return false;
    if (!outcomes.every((code) => countFrom(code) !== undefined && code <= (FAILED | SLOW))) return false;
    // A smaller window since the snapshot keeps the most recent calls.
    for (const code of outcomes.slice(-this.#ring.length) as number[]) this.#push(code);
    return true;
  }

  #push(code: number): void {
    const ring = this.#ring;
    if (this.#calls === ring.length) {
      const old = ring[this.#next]!;
      this.#failures -= old & FAILED;
      this.#slowCalls -= (old & SLOW) >> 1;
    } else {
      this.#calls++;
    }
    ring[this.#next] = code;
    this.#failures += code & FAILED;
    this.#slowCalls += (code & SLOW) >> 1;
    this.#next = this.#next + 1 === ring.length ? 0 : this.#next + 1;
  }
}

/**
 * Opens when at least `failureRatio` of the last `size` calls failed, once the window holds
 * `minimumCalls` calls (resilience4j's COUNT_BASED window, cockatiel's `CountBreaker`).
 *
 * @example
 * const breaker = circuitBreaker({ strategy: countWindow({ size: 20, failureRatio: 0.5, minimumCalls: 10 }) });
 */
export function countWindow(options?: CountWindowOptions): CountWindowStrategy {
  return new CountWindowStrategy(options);
}
