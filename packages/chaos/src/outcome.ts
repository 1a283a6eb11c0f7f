import { assertFunction, type PolicyContext } from '@breakwater/core';
import { ChaosPolicy } from './chaos-policy.ts';
import { resolveChaosOptions, type ChaosContext, type ChaosOptions } from './options.ts';

export interface OutcomeOptions<R> extends ChaosOptions {
  /** Produces the substituted result, e.g. `() => new Response(null, { status: 503 })`. Required. */
  readonly outcome: (context: ChaosContext) => R | PromiseLike<R>;
}

/** Returns a substituted result instead of running the call; see {@link chaosOutcome}. */
export class OutcomePolicy<R> extends ChaosPolicy<R> {
  readonly kind = 'outcome';
  readonly #outcome: (context: ChaosContext) => R | PromiseLike<R>;

  constructor(options: OutcomeOptions<R>) {
    const resolved = resolveChaosOptions('chaosOutcome()', 'chaos-outcome', options, ['outcome']);
    super(resolved);
    assertFunction('outcome', resolved.config.outcome);
    this.#outcome = resolved.config.outcome;
  }

  protected async inject<T>(_fn: (context: PolicyContext) => PromiseLike<T> | T, context: PolicyContext): Promise<T | R> {
    return this.#outcome(context);
  }
}

/**
 * Injects outcomes: on a chosen share of calls, answers with a substituted result without running
 * the call — a 503 `Response`, an empty list, a stale record — to exercise the code that
 * inspects results rather than errors.
 *
 * @example
 * const unavailable = chaosOutcome({ injectionRate: 0.05, outcome: () => new Response(null, { status: 503 }) });
 */
export function chaosOutcome<R>(options: OutcomeOptions<R>): OutcomePolicy<R> {
  return new OutcomePolicy(options);
}
