import { neverAbortedSignal } from './abort.ts';
import { systemClock, type Clock } from './clock.ts';
import { SignalContext } from './context.ts';
import { EventEmitter, type Event } from './events.ts';
import type { ErrorFilter, FailureEvent, Policy, PolicyContext, SuccessEvent } from './policy.ts';
import { assertFunction, assertKnownOptions, assertMethods, assertString, withDefaults } from './validate.ts';

export interface FallbackOptions<R> {
  /** Produces the replacement for a failed call; it receives the error. */
  readonly fallback: (error: unknown, context: PolicyContext) => R | PromiseLike<R>;
  /**
   * Which errors to replace. The caller's own abort is never replaced.
   * @default every error
   */
  readonly handle?: ErrorFilter;
  /** A name for events and metrics labels. @default 'fallback' */
  readonly name?: string;
  /** Time source for event durations. @default systemClock */
  readonly clock?: Clock;
}

export interface FallbackEvent {
  readonly policy: string;
  readonly error: unknown;
}

const DEFAULTS = { handle: () => true, name: 'fallback', clock: systemClock } as const;
const KNOWN = ['fallback', 'handle', 'name', 'clock'] as const;

/** Replaces a failed call's error with a value; see {@link fallback}. */
export class FallbackPolicy<R> implements Policy<PolicyContext, R> {
  declare readonly _altReturn: R;
  readonly name: string;
  readonly #fallback: FallbackOptions<R>['fallback'];
  readonly #handle: ErrorFilter;
  readonly #clock: Clock;
  readonly #onFallback = new EventEmitter<FallbackEvent>();
  readonly #onSuccess = new EventEmitter<SuccessEvent>();
  readonly #onFailure = new EventEmitter<FailureEvent>();

  /** Fires when an error is replaced. */
  readonly onFallback: Event<FallbackEvent> = this.#onFallback.event;
  readonly onSuccess: Event<SuccessEvent> = this.#onSuccess.event;
  /** Fires for every failed call; `handled` tells whether it was replaced. */
  readonly onFailure: Event<FailureEvent> = this.#onFailure.event;

  constructor(options: FallbackOptions<R>) {
    const config = withDefaults('fallback()', DEFAULTS, options);
    assertKnownOptions('fallback()', config, KNOWN);
    assertFunction('fallback', config.fallback);
    assertFunction('handle', config.handle);
    assertString('name', config.name, { min: 1 });
    assertMethods('clock', config.clock, ['now']);
    this.name = config.name;
    this.#fallback = config.fallback;
    this.#handle = config.handle;
    this.#clock = config.clock;
  }

  async execute<T>(fn: (context: PolicyContext) => PromiseLike<T> | T, signal: AbortSignal = neverAbortedSignal): Promise<T | R> {
    const observed = this.#onSuccess.hasListeners || this.#onFailure.hasListeners;
    const started = observed ? this.#clock.now() : 0;
    const context: PolicyContext = new SignalContext(signal);
    try {
      const value = await fn(context);
      if (observed) this.#onSuccess.emit({ duration: this.#clock.now() - started });
      return value;
    } catch (error) {
      const handled = !(signal.aborted && error === signal.reason) && this.#handle(error);
      if (observed) this.#onFailure.emit({ duration: this.#clock.now() - started, handled, reason: { error } });
      if (!handled) throw error;
      this.#onFallback.emit({ policy: this.name, error });
      return this.#fallback(error, context);
    }
  }
}

/**
 * Answers with a replacement value when the wrapped call fails.
 *
 * @example
 * const cachedPrices = fallback({ fallback: () => lastKnownPrices });
 * const prices = await wrap(cachedPrices, timeout(500)).execute(({ signal }) => loadPrices(signal));
 */
export function fallback<R>(options: FallbackOptions<R>): FallbackPolicy<R> {
  return new FallbackPolicy(options);
}
