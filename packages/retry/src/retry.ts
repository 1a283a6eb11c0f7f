import {
  abortableDelay,
  EventEmitter,
  neverAbortedSignal,
  type Clock,
  type ErrorFilter,
  type Event,
  type FailureEvent,
  type Policy,
  type ResultFilter,
  type SuccessEvent,
} from '@breakwater/core';
import type { FailureReason, IRetryContext } from 'cockatiel';
import { customDelay, strategyDelay, type Backoff, type CustomBackoffState } from './backoff.ts';
import type { RetryBudgetLike } from './budget.ts';
import type { DelaySource, GiveUpEvent, GiveUpReason, RetryEvent } from './events.ts';
import { retryAfterMsOf } from './hint.ts';
import { applyJitter, decorrelatedDelay, type Jitter } from './jitter.ts';
import { resolveRetryOptions, type RetryOptions } from './options.ts';

/** What the retried function receives: the caller's signal and the attempt (0 for the first call). */
export type RetryContext = IRetryContext;

/** How an attempt ended: the value it returned or the error it threw. */
export type AttemptOutcome<T> = { readonly value: T } | { readonly error: unknown };

/** Calls a function again when it fails; see {@link retry}. */
export class RetryPolicy implements Policy<RetryContext> {
  declare readonly _altReturn: never;
  readonly name: string;
  readonly maxRetries: number;
  /** The budget this policy spends from, if any; its `stats()` feed metrics. */
  readonly budget: RetryBudgetLike | undefined;
  readonly #backoff: Backoff;
  readonly #baseDelay: number;
  readonly #factor: number;
  readonly #maxDelay: number;
  readonly #jitter: Jitter;
  readonly #random: () => number;
  readonly #maxTotalDelay: number;
  readonly #handle: ErrorFilter;
  readonly #handleResult: ResultFilter | undefined;
  readonly #respectRetryAfter: boolean;
  readonly #clock: Clock;
  readonly #onRetry = new EventEmitter<RetryEvent>();
  readonly #onGiveUp = new EventEmitter<GiveUpEvent>();
  readonly #onSuccess = new EventEmitter<SuccessEvent>();
  readonly #onFailure = new EventEmitter<FailureEvent>();

  /** Fires before each retry's delay starts (so a fake-time test can advance by `delayMs`). */
  readonly onRetry: Event<RetryEvent> = this.#onRetry.event;
  /** Fires once for each call that ends in failure, with the reason it was not retried further. */
  readonly onGiveUp: Event<GiveUpEvent> = this.#onGiveUp.event;
  /** Fires for each attempt that succeeds (as cockatiel's retry does), with its duration. */
  readonly onSuccess: Event<SuccessEvent> = this.#onSuccess.event;
  /** Fires for each attempt that fails; `handled` tells whether the failure was retryable. */
  readonly onFailure: Event<FailureEvent> = this.#onFailure.event;

  constructor(options?: RetryOptions) {
    const config = resolveRetryOptions(options);
    this.name = config.name;
    this.maxRetries = config.maxRetries;
    this.budget = config.budget;
    this.#backoff = config.backoff;
    this.#baseDelay = config.baseDelay;
    this.#factor = config.factor;
    this.#maxDelay = config.maxDelay;
    this.#jitter = config.jitter;
    this.#random = config.random;
    this.#maxTotalDelay = config.maxTotalDelay;
    this.#handle = config.handle;
    this.#handleResult = config.handleResult;
    this.#respectRetryAfter = config.respectRetryAfter;
    this.#clock = config.clock;
  }

  execute<T>(fn: (context: RetryContext) => PromiseLike<T> | T, signal: AbortSignal = neverAbortedSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return this.#begin(fn, signal, undefined, 0);
  }

  /**
   * For a caller that makes a call's first attempt itself, outside `execute` (a hot path such as
   * @breakwater/fetch, which cannot afford the policy's frame on every request): that attempt
   * succeeded in `durationMs`. Counts the call in the budget and fires `onSuccess`, as `execute`
   * would have. Call it only for an outcome the policy does not retry.
   */
  firstAttemptSucceeded(durationMs: number): void {
    this.budget?.recordCall();
    if (this.#onSuccess.hasListeners) this.#onSuccess.emit({ duration: durationMs });
  }

  /**
   * For a caller that made a call's first attempt itself: finishes the call exactly as `execute`
   * would have after that attempt ended with `first` in `durationMs`: the same budget, decisions,
   * delays and events. `fn` makes the retries (attempt 1, 2, …); `signal` cancels them.
   */
  afterFirstAttempt<T>(
    first: AttemptOutcome<T>,
    durationMs: number,
    fn: (context: RetryContext) => PromiseLike<T> | T,
    signal: AbortSignal = neverAbortedSignal,
  ): Promise<T> {
    return this.#begin(fn, signal, first, durationMs);
  }

  #begin<T>(fn: (context: RetryContext) => PromiseLike<T> | T, signal: AbortSignal, first: AttemptOutcome<T> | undefined, firstDuration: number): Promise<T> {
    try {
      this.budget?.recordCall();
    } catch (error) {
      // A budget of the user's making may throw; the policy still only ever rejects.
      return Promise.reject(error);
    }
    return this.#attempts(fn, signal, first, firstDuration);
  }

  /** The attempt loop; attempt 0's outcome is `first` when the caller already made it. */
  async #attempts<T>(fn: (context: RetryContext) => PromiseLike<T> | T, signal: AbortSignal, first: AttemptOutcome<T> | undefined, firstDuration: number): Promise<T> {
    let waited = 0;
    let previousDelay = 0;
    let custom: CustomBackoffState | undefined;
    for (let attempt = 0; ; attempt++) {
      const observed = this.#onSuccess.hasListeners || this.#onFailure.hasListeners;
      const given = attempt === 0 ? first : undefined;
      const started = observed && given === undefined ? this.#clock.now() : 0;
      let reason: FailureReason<T>;
      try {
        if (given !== undefined && 'error' in given) throw given.error;
        const value = given === undefined ? await fn({ signal, attempt }) : given.value;
        if (this.#handleResult === undefined || !this.#handleResult(value)) {
          if (observed) this.#onSuccess.emit({ duration: this.#elapsed(started, given, firstDuration) });
          return value;
        }
        if (observed) this.#onFailure.emit({ duration: this.#elapsed(started, given, firstDuration), handled: true, reason: { value } });
        reason = { value };
        // A caller who cancelled gets the value in hand rather than a retry they no longer want.
        if (signal.aborted) return this.#giveUp(reason, attempt + 1, 'aborted');
      } catch (error) {
        const aborted = signal.aborted;
        const handled = !aborted && this.#handle(error);
        if (observed) this.#onFailure.emit({ duration: this.#elapsed(started, given, firstDuration), handled, reason: { error } });
        if (!handled) return this.#giveUp({ error }, attempt + 1, aborted ? 'aborted' : 'not-handled');
        reason = { error };
      }

      const retry = attempt + 1;
      if (retry > this.maxRetries) return this.#giveUp(reason, retry, 'exhausted');
      let delay: number | undefined;
      let source: DelaySource = 'retry-after';
      if (this.#respectRetryAfter) {
        const hint = retryAfterMsOf('error' in reason ? reason.error : reason.value, this.#clock.epochNow());
        if (hint !== undefined) delay = Math.min(hint, this.#maxDelay);
      }
      if (delay === undefined) {
        source = 'backoff';
        delay = this.#backoffDelay(retry, previousDelay, reason, signal, (custom ??= { chain: undefined }));
      }
      if (waited + delay > this.#maxTotalDelay) return this.#giveUp(reason, retry, 'delay-budget');
      // Checked last: a retry that another limit refuses must not take from the budget.
      if (this.budget !== undefined && !this.budget.tryAcquireRetry()) return this.#giveUp(reason, retry, 'budget');
      waited += delay;
      previousDelay = delay;
      if (this.#onRetry.hasListeners) this.#onRetry.emit({ policy: this.name, attempt: retry, delayMs: delay, source, ...reason });
      try {
        await abortableDelay(delay, signal, this.#clock);
      } catch (abortReason) {
        return this.#giveUp({ error: abortReason }, retry, 'aborted');
      }
    }
  }

  /** How long an attempt took: measured from `started`, or as reported for one the caller made. */
  #elapsed(started: number, given: AttemptOutcome<unknown> | undefined, givenDuration: number): number {
    return given === undefined ? this.#clock.now() - started : givenDuration;
  }

  #backoffDelay(retry: number, previousDelay: number, reason: FailureReason<unknown>, signal: AbortSignal, state: CustomBackoffState): number {
    const backoff = this.#backoff;
    if (typeof backoff !== 'string') return Math.min(customDelay(backoff, retry, previousDelay, reason, signal, state), this.#maxDelay);
    if (this.#jitter === 'decorrelated') return decorrelatedDelay(this.#baseDelay, previousDelay, this.#maxDelay, this.#random);
    const base = Math.min(strategyDelay(backoff, retry, this.#baseDelay, this.#factor), this.#maxDelay);
    return applyJitter(base, this.#jitter, this.#random);
  }

  /** Reports the end of a failed call, then throws its error or returns its value. */
  #giveUp<T>(outcome: FailureReason<T>, attempts: number, reason: GiveUpReason): T {
    if (this.#onGiveUp.hasListeners) this.#onGiveUp.emit({ policy: this.name, attempts, reason, ...outcome });
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  }
}

/**
 * Calls a function again when it fails, after a jittered exponential backoff (or the delay the
 * server asked for with `Retry-After`), optionally within a retry budget shared by all calls.
 * Every delay races the caller's signal: aborting rejects at once with the signal's reason and
 * clears the timer. A number is shorthand for `{ maxRetries }`.
 *
 * @example
 * const resilient = retry({ maxRetries: 3, handleResult: isRetryableResponse });
 * const res = await resilient.execute(({ signal }) => fetch(url, { signal }), request.signal);
 */
export function retry(options?: RetryOptions | number): RetryPolicy {
  return new RetryPolicy(typeof options === 'number' ? { maxRetries: options } : options);
}
