import { abortableDelay, assertDuration, describeValue, invalidOption, type PolicyContext } from '@breakwater/core';
import { ChaosPolicy } from './chaos-policy.ts';
import { resolveChaosOptions, type ChaosContext, type ChaosOptions } from './options.ts';

export interface LatencyOptions extends ChaosOptions {
  /**
   * The delay added before the call, in ms: a number (0–2147483647) or a function of the call's
   * context (e.g. drawing from a distribution). Required.
   */
  readonly latency: number | ((context: ChaosContext) => number);
}

/** Delays the call; see {@link chaosLatency}. */
export class LatencyPolicy extends ChaosPolicy {
  readonly kind = 'latency';
  readonly #latency: (context: ChaosContext) => number;

  constructor(options: LatencyOptions) {
    const resolved = resolveChaosOptions('chaosLatency()', 'chaos-latency', options, ['latency']);
    super(resolved);
    const { latency } = resolved.config;
    if (typeof latency === 'number') {
      assertDuration('latency', latency);
      this.#latency = () => latency;
    } else if (typeof latency === 'function') {
      this.#latency = latency;
    } else {
      throw invalidOption(`Expected \`latency\` to be a number of ms or a function returning one, got ${describeValue(latency)}`);
    }
  }

  protected async inject<T>(fn: (context: PolicyContext) => PromiseLike<T> | T, context: PolicyContext): Promise<T> {
    const ms = this.#latency(context);
    // A function's bad value is clamped rather than thrown: the injection must not add a failure mode of its own.
    await abortableDelay(Number.isFinite(ms) && ms > 0 ? ms : 0, context.signal, this.clock);
    return fn(context);
  }
}

/**
 * Injects latency: on a chosen share of calls, waits before running the call. The wait gives way
 * at once when the caller's signal aborts (the call then rejects with the signal's reason and no
 * timer is left behind), so it exercises timeouts and deadlines without hanging anything.
 *
 * @example
 * const slow = chaosLatency({ injectionRate: 0.2, latency: 1_500 });
 * await wrap(timeout(1_000), slow).execute(({ signal }) => fetch(url, { signal }));
 */
export function chaosLatency(options: LatencyOptions): LatencyPolicy {
  return new LatencyPolicy(options);
}
