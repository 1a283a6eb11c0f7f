import { assertInteger, assertNumber } from '@breakwater/core';
import { resolveLimitOptions, type LimitAlgorithm, type LimitBoundsOptions, type OptionScope } from './limit.ts';

export interface GradientLimitOptions extends LimitBoundsOptions {
  /**
   * How far each sample moves the limit towards its new estimate: 1 jumps, small values glide.
   * From above 0 to 1.
   * @default 0.2
   */
  readonly smoothing?: number;
  /**
   * Headroom added to the estimate while latency stays normal: how fast the limit grows.
   * Integer ≥ 0.
   * @default 4
   */
  readonly queueSize?: number;
  /** Samples in the long-term latency average (the "normal" latency). Integer ≥ 1. @default 600 */
  readonly longWindow?: number;
  /**
   * How much slower than normal a call may be before the limit shrinks: 1.5 means latency up to
   * 1.5× the long-term average counts as no queuing. Number ≥ 1.
   * @default 1.5
   */
  readonly rttTolerance?: number;
}

const DEFAULTS = { smoothing: 0.2, queueSize: 4, longWindow: 600, rttTolerance: 1.5 } as const;
const KNOWN = ['smoothing', 'queueSize', 'longWindow', 'rttTolerance'] as const;
const SCOPE: OptionScope = { factory: 'GradientLimit', prefix: '', alsoKnown: [] };
/** The long average is a plain mean over its first samples, so one early outlier cannot skew it. */
const WARMUP_SAMPLES = 10;

/** Checks and completes Gradient options; `scope` names them as the caller wrote them. */
export function resolveGradientOptions(options: GradientLimitOptions | undefined, scope: OptionScope = SCOPE) {
  const config = resolveLimitOptions(scope, DEFAULTS, KNOWN, options);
  const p = scope.prefix;
  assertNumber(`${p}smoothing`, config.smoothing, { above: 0, max: 1 });
  assertInteger(`${p}queueSize`, config.queueSize, { min: 0 });
  assertInteger(`${p}longWindow`, config.longWindow, { min: 1 });
  assertNumber(`${p}rttTolerance`, config.rttTolerance, { min: 1 });
  return config;
}

/**
 * Latency-gradient limit after Netflix concurrency-limits' `Gradient2Limit`. It compares each
 * call's latency (short RTT) with a long exponential average (long RTT):
 *
 *     gradient = clamp(rttTolerance × long / short, 0.5, 1)
 *     estimate = estimate × (1 − smoothing) + (estimate × gradient + queueSize) × smoothing
 *
 * so the limit creeps up by `queueSize × smoothing` per sample while latency is normal and
 * shrinks as latency rises. It does not grow while less than half of it is in use. Netflix's
 * Gradient2 has no drop branch; here a drop shrinks the estimate as if the gradient were at its
 * floor, without the headroom (by `smoothing / 2`, 10% by default), and its latency is kept out
 * of the averages because a failed call's timing is not a measurement of the service.
 *
 * @example
 * const gradient = new GradientLimit({ min: 5, max: 100, initial: 10 });
 * gradient.onSample(20, 10, false); // 10 (estimate 10.8)
 */
export class GradientLimit implements LimitAlgorithm {
  readonly min: number;
  readonly max: number;
  readonly smoothing: number;
  readonly queueSize: number;
  readonly longWindow: number;
  readonly rttTolerance: number;
  #estimate: number;
  #longRtt = 0;
  #lastRtt = 0;
  #samples = 0;

  constructor(options: GradientLimitOptions = {}) {
    const config = resolveGradientOptions(options);
    this.min = config.min;
    this.max = config.max;
    this.smoothing = config.smoothing;
    this.queueSize = config.queueSize;
    this.longWindow = config.longWindow;
    this.rttTolerance = config.rttTolerance;
    this.#estimate = config.initial;
  }

  /** The limit: the estimate rounded down. */
  get limit(): number {
    return Math.floor(this.#estimate);
  }

  /** The unrounded estimate the limit comes from. */
  get estimate(): number {
    return this.#estimate;
  }

  /** The long-term average latency (ms): what "normal" currently means. */
  get longRtt(): number {
    return this.#longRtt;
  }

  /** The latency of the last good sample (ms). */
  get shortRtt(): number {
    return this.#lastRtt;
  }

  onSample(rtt: number, inflight: number, dropped: boolean): number {
    const estimate = this.#estimate;
    if (dropped) return this.#move(estimate * 0.5, estimate);

    this.#lastRtt = rtt;
    const longRtt = this.#addToLong(rtt);
    // Latency is back to far below the average after a long overload: let "normal" fall
    // faster than the average alone would, so the limit recovers sooner.
    if (longRtt > 2 * rtt) this.#longRtt = longRtt * 0.95;
    if (inflight < estimate / 2) return Math.floor(estimate);

    // A zero-length call (coarse clock) shows no queuing at all.
    const gradient = rtt > 0 ? Math.max(0.5, Math.min(1, (this.rttTolerance * longRtt) / rtt)) : 1;
    return this.#move(estimate * gradient + this.queueSize, estimate);
  }

  #move(target: number, estimate: number): number {
    const next = estimate * (1 - this.smoothing) + target * this.smoothing;
    this.#estimate = Math.max(this.min, Math.min(this.max, next));
    return Math.floor(this.#estimate);
  }

  #addToLong(rtt: number): number {
    if (this.#samples < WARMUP_SAMPLES) {
      this.#samples++;
      this.#longRtt += (rtt - this.#longRtt) / this.#samples;
    } else {
      const factor = 2 / (this.longWindow + 1);
      this.#longRtt = this.#longRtt * (1 - factor) + rtt * factor;
    }
    return this.#longRtt;
  }
}
