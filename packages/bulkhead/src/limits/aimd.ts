import { assertDuration, assertNumber } from '@breakwater/core';
import { resolveLimitOptions, type LimitAlgorithm, type LimitBoundsOptions, type OptionScope } from './limit.ts';

export interface AimdLimitOptions extends LimitBoundsOptions {
  /**
   * What the limit is multiplied by on a drop (it falls by at least 1). From 0.5 to below 1.
   * @default 0.9
   */
  readonly backoffRatio?: number;
  /**
   * A call that ran longer than this (ms) counts as a drop even when it succeeded.
   * Range 1–2147483647.
   * @default 5000
   */
  readonly timeout?: number;
}

const DEFAULTS = { backoffRatio: 0.9, timeout: 5_000 } as const;
const KNOWN = ['backoffRatio', 'timeout'] as const;
const SCOPE: OptionScope = { factory: 'AimdLimit', prefix: '', alsoKnown: [] };

/** Checks and completes AIMD options; `scope` names them as the caller wrote them. */
export function resolveAimdOptions(options: AimdLimitOptions | undefined, scope: OptionScope = SCOPE) {
  const config = resolveLimitOptions(scope, DEFAULTS, KNOWN, options);
  assertNumber(`${scope.prefix}backoffRatio`, config.backoffRatio, { min: 0.5, below: 1 });
  assertDuration(`${scope.prefix}timeout`, config.timeout, { min: 1 });
  return config;
}

/**
 * Additive increase, multiplicative decrease, after Netflix concurrency-limits' `AIMDLimit`:
 * on a drop (or a call slower than `timeout`) the limit is multiplied by `backoffRatio`; on a
 * good sample it grows by 1, but only when the limit was actually used (at least half of it in
 * flight), so an idle service does not inflate its limit with nothing to show for it.
 *
 * @example
 * const aimd = new AimdLimit({ min: 5, max: 50, initial: 10 });
 * aimd.onSample(12, 10, false); // 11
 * aimd.onSample(30, 11, true); // 9
 */
export class AimdLimit implements LimitAlgorithm {
  readonly min: number;
  readonly max: number;
  readonly backoffRatio: number;
  readonly timeout: number;
  #limit: number;

  constructor(options: AimdLimitOptions = {}) {
    const config = resolveAimdOptions(options);
    this.min = config.min;
    this.max = config.max;
    this.backoffRatio = config.backoffRatio;
    this.timeout = config.timeout;
    this.#limit = config.initial;
  }

  get limit(): number {
    return this.#limit;
  }

  onSample(rtt: number, inflight: number, dropped: boolean): number {
    const current = this.#limit;
    let next: number;
    if (dropped || rtt > this.timeout) {
      // At least 1 lower: with a small limit the ratio alone would floor back to the same value.
      next = Math.min(current - 1, Math.floor(current * this.backoffRatio));
    } else if (inflight * 2 >= current) {
      next = current + 1;
    } else {
      return current;
    }
    this.#limit = Math.min(this.max, Math.max(this.min, next));
    return this.#limit;
  }
}
