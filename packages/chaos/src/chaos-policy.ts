import { EventEmitter, neverAbortedSignal, SignalContext, type Clock, type Event, type FailureEvent, type Policy, type PolicyContext, type SuccessEvent } from '@breakwater/core';
import type { ChaosKind, InjectedEvent } from './events.ts';
import type { ChaosContext, ResolvedChaosOptions } from './options.ts';

/**
 * What every chaos policy shares: the per-call decision, the events, and `execute(fn, signal?)`
 * (cockatiel's `IPolicy`, so a chaos policy nests in `wrap()` like any other). A subclass says
 * what injecting means.
 */
export abstract class ChaosPolicy<R = never> implements Policy<PolicyContext, R> {
  declare readonly _altReturn: R;
  readonly name: string;
  abstract readonly kind: ChaosKind;
  protected readonly clock: Clock;
  readonly #decide: (context: ChaosContext) => boolean;
  readonly #onInjected = new EventEmitter<InjectedEvent>();
  readonly #onSuccess = new EventEmitter<SuccessEvent>();
  readonly #onFailure = new EventEmitter<FailureEvent>();

  /** Fires when the policy injects into a call, before the injection takes effect. */
  readonly onInjected: Event<InjectedEvent> = this.#onInjected.event;
  readonly onSuccess: Event<SuccessEvent> = this.#onSuccess.event;
  readonly onFailure: Event<FailureEvent> = this.#onFailure.event;

  protected constructor(resolved: ResolvedChaosOptions) {
    this.name = resolved.name;
    this.clock = resolved.clock;
    this.#decide = resolved.decide;
  }

  async execute<T>(fn: (context: PolicyContext) => PromiseLike<T> | T, signal: AbortSignal = neverAbortedSignal): Promise<T | R> {
    const observed = this.#onSuccess.hasListeners || this.#onFailure.hasListeners;
    const started = observed ? this.clock.now() : 0;
    const context: PolicyContext = new SignalContext(signal);
    try {
      let value: T | R;
      if (this.#decide(context)) {
        this.#onInjected.emit({ policy: this.name, kind: this.kind });
        value = await this.inject(fn, context);
      } else {
        value = await fn(context);
      }
      if (observed) this.#onSuccess.emit({ duration: this.clock.now() - started });
      return value;
    } catch (error) {
      if (observed) this.#onFailure.emit({ duration: this.clock.now() - started, handled: false, reason: { error } });
      throw error;
    }
  }

  /** Runs the call with the injection applied (the call itself may be skipped). */
  protected abstract inject<T>(fn: (context: PolicyContext) => PromiseLike<T> | T, context: PolicyContext): Promise<T | R>;
}
