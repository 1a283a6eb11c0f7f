import type { FailureReason, IBackoff, IBackoffFactory, IRetryBackoffContext } from 'cockatiel';
import { invalidOption } from '@breakwater/core';

/**
 * How the delay grows with the retry number n (1 for the first retry):
 * `exponential` baseDelay·factor^(n−1), `linear` baseDelay·n, `constant` baseDelay.
 */
export type BackoffStrategy = 'exponential' | 'linear' | 'constant';

/**
 * A custom backoff: the delay in ms before retry `attempt` (from 1), given the delay waited
 * before the previous retry (0 before the first) and the failure being retried.
 */
export type BackoffFunction = (attempt: number, previousDelay: number, reason: FailureReason<unknown>) => number;

/**
 * cockatiel's backoff objects (`new ExponentialBackoff()`, `new ConstantBackoff(100)`,
 * `new IterableBackoff([…])`), so delays already tuned for cockatiel carry over unchanged.
 */
export type BackoffFactory = IBackoffFactory<IRetryBackoffContext<unknown>>;

export type Backoff = BackoffStrategy | BackoffFunction | BackoffFactory;

export const BACKOFF_STRATEGIES: readonly BackoffStrategy[] = ['exponential', 'linear', 'constant'];

/** The delay of a named strategy before jitter and before the `maxDelay` cap. */
export function strategyDelay(strategy: BackoffStrategy, retry: number, baseDelay: number, factor: number): number {
  // 0 · Infinity is NaN: a zero base delay stays zero however far the exponent runs.
  if (baseDelay === 0) return 0;
  if (strategy === 'constant') return baseDelay;
  if (strategy === 'linear') return baseDelay * retry;
  return baseDelay * factor ** (retry - 1);
}

/** Per-call state of a custom backoff: cockatiel backoffs are chains, each `next()` the following step. */
export interface CustomBackoffState {
  chain: IBackoff<IRetryBackoffContext<unknown>> | undefined;
}

/** Runs a custom backoff (function or cockatiel factory) for one retry and checks its answer. */
export function customDelay(
  backoff: BackoffFunction | BackoffFactory,
  retry: number,
  previousDelay: number,
  reason: FailureReason<unknown>,
  signal: AbortSignal,
  state: CustomBackoffState,
): number {
  let delay: number;
  if (typeof backoff === 'function') {
    delay = backoff(retry, previousDelay, reason);
  } else {
    const context: IRetryBackoffContext<unknown> = { attempt: retry, signal, result: reason };
    state.chain = state.chain === undefined ? backoff.next(context) : state.chain.next(context);
    delay = state.chain.duration;
  }
  // A custom backoff's bug must surface, not become a hot retry loop or a 1 ms timer.
  if (typeof delay !== 'number' || Number.isNaN(delay) || delay < 0) {
    throw invalidOption(`Expected \`backoff\` to return a delay in ms from 0 and up, got \`${String(delay)}\` (${typeof delay})`, 'range');
  }
  return delay;
}
