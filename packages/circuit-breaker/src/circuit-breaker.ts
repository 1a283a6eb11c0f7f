import {
  EventEmitter,
  neverAbortedSignal,
  SignalContext,
  type Clock,
  type Disposable,
  type ErrorFilter,
  type Event,
  type FailureEvent,
  type Policy,
  type PolicyContext,
  type ResultFilter,
  type SuccessEvent,
} from '@breakwater/core';
import type { BreakDurations } from './break-duration.ts';
import { CircuitIsolatedError } from './errors/circuit-isolated-error.ts';
import { CircuitOpenError } from './errors/circuit-open-error.ts';
import type { BreakEvent, BreakReason, HalfOpenEvent, RejectedEvent, ResetEvent, StateChangeEvent } from './events.ts';
import { resolveOptions, type CircuitBreakerOptions } from './options.ts';
import { loadSnapshot, restoreSnapshot } from './restore.ts';
import type { CircuitSnapshot, CircuitState, CircuitStats } from './state.ts';
import type { CircuitStore } from './store.ts';
import type { BreakerStrategy, FailureWindow } from './strategies/strategy.ts';
import { passes, rethrowLater } from './user-code.ts';

/** Calls made without a signal share one frozen context instead of allocating one each. */
const NO_SIGNAL_CONTEXT: PolicyContext = Object.freeze(new SignalContext(neverAbortedSignal));
const ISOLATED: BreakReason = Object.freeze({ kind: 'isolated' });

/** Stops calls to a failing dependency and probes it before letting traffic back; see {@link circuitBreaker}. */
export class CircuitBreakerPolicy implements Policy {
  declare readonly _altReturn: never;
  readonly name: string;
  readonly strategy: BreakerStrategy;
  readonly halfOpenProbes: number;
  readonly #window: FailureWindow;
  readonly #durations: BreakDurations;
  readonly #slowCallDuration: number;
  readonly #handle: ErrorFilter;
  readonly #handleResult: ResultFilter | undefined;
  readonly #clock: Clock;
  readonly #store: CircuitStore | undefined;
  #state: CircuitState = 'closed';
  /**
   * Bumped on every transition. A call remembers the generation it started in, and its outcome
   * changes nothing once the breaker has moved on: a late failure from before an open cannot
   * re-open the breaker or extend its break (opossum #385), a stale probe cannot free a slot.
   */
  #generation = 0;
  /** Monotonic time at which an open breaker admits a probe. */
  #halfOpenAt = 0;
  #opens = 0;
  #probesRunning = 0;
  #probesSucceeded = 0;
  #isolations = 0;

  readonly #onStateChange = new EventEmitter<StateChangeEvent>();
  readonly #onBreak = new EventEmitter<BreakEvent>();
  readonly #onHalfOpen = new EventEmitter<HalfOpenEvent>();
  readonly #onReset = new EventEmitter<ResetEvent>();
  readonly #onRejected = new EventEmitter<RejectedEvent>();
  readonly #onSuccess = new EventEmitter<SuccessEvent>();
  readonly #onFailure = new EventEmitter<FailureEvent>();

  /** Fires once per transition, after the specific event below. */
  readonly onStateChange: Event<StateChangeEvent> = this.#onStateChange.event;
  /** Fires when the breaker opens (from closed or half-open) or is isolated. */
  readonly onBreak: Event<BreakEvent> = this.#onBreak.event;
  /** Fires when an open breaker admits its first probe. */
  readonly onHalfOpen: Event<HalfOpenEvent> = this.#onHalfOpen.event;
  /** Fires when the breaker closes (probes succeeded, or the last isolation was disposed). */
  readonly onReset: Event<ResetEvent> = this.#onReset.event;
  /** Fires for every call rejected without running. */
  readonly onRejected: Event<RejectedEvent> = this.#onRejected.event;
  /** Fires for every call that ran and returned a value the breaker does not count as a failure (slow ones included). */
  readonly onSuccess: Event<SuccessEvent> = this.#onSuccess.event;
  /** Fires for every call that ran and failed; `handled` tells whether the breaker counted it. */
  readonly onFailure: Event<FailureEvent> = this.#onFailure.event;

  constructor(options?: CircuitBreakerOptions) {
    const config = resolveOptions(options);
    this.name = config.name;
    this.strategy = config.strategy;
    this.halfOpenProbes = config.halfOpenProbes;
    this.#window = config.strategy.create();
    this.#durations = config.breakDurations;
    this.#slowCallDuration = config.slowCallDuration;
    this.#handle = config.handle;
    this.#handleResult = config.handleResult;
    this.#clock = config.clock;
    this.#store = config.store;
    const initial = config.initialState ?? loadSnapshot(config.store);
    if (initial !== undefined) {
      const restored = restoreSnapshot(initial, this.#window, this.#durations, this.#clock);
      this.#opens = restored.opens;
      this.#halfOpenAt = restored.halfOpenAt;
      if (restored.open) this.#state = 'open';
    }
  }

  get state(): CircuitState {
    return this.#state;
  }

  get stats(): CircuitStats {
    const now = this.#clock.now();
    const { calls, failures, slowCalls } = this.#window.stats(now);
    return {
      state: this.#state,
      calls,
      failures,
      slowCalls,
      failureRatio: calls === 0 ? 0 : failures / calls,
      probesRunning: this.#probesRunning,
      probesSucceeded: this.#probesSucceeded,
      opens: this.#opens,
      retryAfterMs: this.#state === 'open' ? Math.max(0, Math.ceil(this.#halfOpenAt - now)) : undefined,
    };
  }

  /**
   * Runs `fn` when the breaker lets it: always when closed, as one of `halfOpenProbes` probes
   * when half-open. Otherwise rejects at once, without calling `fn`, with a
   * {@link CircuitOpenError} or {@link CircuitIsolatedError}. No caller ever waits.
   */
  execute<T>(fn: (context: PolicyContext) => PromiseLike<T> | T, signal: AbortSignal = neverAbortedSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.#state !== 'closed') {
      const rejection = this.#admit();
      if (rejection !== undefined) return Promise.reject(rejection);
    }
    return this.#run(fn, signal);
  }

  /**
   * Holds the breaker open by hand (state `isolated`) until every handle returned is disposed;
   * then it closes with an empty window. Calls are rejected with {@link CircuitIsolatedError}.
   */
  isolate(): Disposable {
    if (this.#isolations++ === 0) {
      const from = this.#state;
      this.#enter('isolated');
      if (this.#onBreak.hasListeners) this.#onBreak.emit({ policy: this.name, reason: ISOLATED, breakDurationMs: undefined });
      this.#changed(from, 'isolated');
    }
    let disposed = false;
    const dispose = (): void => {
      if (disposed) return;
      disposed = true;
      if (--this.#isolations === 0) this.#close();
    };
    return { dispose, [Symbol.dispose]: dispose };
  }

  /** The state as plain JSON, for `initialState` or a store. Probes and isolation handles do not travel. */
  toJSON(): CircuitSnapshot {
    const now = this.#clock.now();
    const epoch = this.#clock.epochNow();
    return {
      version: 1,
      state: this.#state,
      takenAt: epoch,
      halfOpenAt: this.#state === 'open' ? epoch + (this.#halfOpenAt - now) : null,
      opens: this.#opens,
      window: this.#window.toJSON(now),
    };
  }

  /** Takes a probe slot (undefined) or answers the rejection for a breaker that is not closed. */
  #admit(): Error | undefined {
    if (this.#state === 'closed') return undefined;
    if (this.#state === 'isolated') return this.#reject('isolated', undefined);
    if (this.#state === 'open') {
      const now = this.#clock.now();
      if (now < this.#halfOpenAt) return this.#reject('open', Math.ceil(this.#halfOpenAt - now));
      this.#enterHalfOpen();
      // A listener may have isolated the breaker or taken the slot: decide again.
      return this.#admit();
    }
    if (this.#probesRunning + this.#probesSucceeded >= this.halfOpenProbes) return this.#reject('half-open', undefined);
    this.#probesRunning++;
    return undefined;
  }

  #reject(state: RejectedEvent['state'], retryAfterMs: number | undefined): Error {
    if (this.#onRejected.hasListeners) this.#onRejected.emit({ policy: this.name, state });
    return state === 'isolated' ? new CircuitIsolatedError(this.name) : new CircuitOpenError(this.name, state, retryAfterMs);
  }

  /**
   * The steps of `execute` for a caller that runs the call itself (resilience4j's
   * acquirePermission/onResult/onError), on a hot path that cannot afford a wrapper per call:
   * admits the call and returns its permit, or throws the {@link CircuitOpenError} or
   * {@link CircuitIsolatedError} that `execute` would reject with. Settle each permit exactly
   * once, with `recordResult` or `recordError`.
   */
  acquirePermit(): number {
    if (this.#state !== 'closed') {
      const rejection = this.#admit();
      if (rejection !== undefined) throw rejection;
    }
    return this.#generation;
  }

  /** Settles an admitted call that returned `value` after `durationMs`; see `acquirePermit`. */
  recordResult(permit: number, value: unknown, durationMs: number): void {
    this.#settleValue(value, permit, durationMs, this.#windowNow(), this.#observed());
  }

  /**
   * Settles an admitted call as a success without asking `handleResult` (resilience4j's
   * onSuccess), for a caller that judged the value already; `slowCallDuration` still applies.
   */
  recordSuccess(permit: number, durationMs: number): void {
    this.#settleJudged(false, undefined, permit, durationMs, this.#windowNow(), this.#observed());
  }

  /**
   * Settles an admitted call that threw `error` after `durationMs`; see `acquirePermit`. Say
   * `cancelled` when the error is the caller's own cancellation (its signal's reason): that is
   * neither a success nor a failure, as in `execute`.
   */
  recordError(permit: number, error: unknown, durationMs: number, cancelled = false): void {
    this.#settleError(error, cancelled, permit, durationMs, this.#windowNow(), this.#observed());
  }

  /** The time a permit's outcome is recorded at: read only when the window is timed. */
  #windowNow(): number {
    return this.#window.timed ? this.#clock.now() : 0;
  }

  #observed(): boolean {
    return this.#onSuccess.hasListeners || this.#onFailure.hasListeners;
  }

  async #run<T>(fn: (context: PolicyContext) => PromiseLike<T> | T, signal: AbortSignal): Promise<T> {
    const generation = this.#generation;
    const observed = this.#observed();
    const timing = observed || this.#slowCallDuration !== Infinity;
    const started = timing ? this.#clock.now() : 0;
    let value: T;
    try {
      value = await fn(signal === neverAbortedSignal ? NO_SIGNAL_CONTEXT : new SignalContext(signal));
    } catch (error) {
      const now = timing || this.#window.timed ? this.#clock.now() : 0;
      this.#settleError(error, signal.aborted && error === signal.reason, generation, now - started, now, observed);
      throw error;
    }
    const now = timing || this.#window.timed ? this.#clock.now() : 0;
    this.#settleValue(value, generation, now - started, now, observed);
    return value;
  }

  #settleValue(value: unknown, generation: number, duration: number, now: number, observed: boolean): void {
    this.#settleJudged(this.#handleResult !== undefined && passes(this.#handleResult, value, false), value, generation, duration, now, observed);
  }

  #settleJudged(failed: boolean, value: unknown, generation: number, duration: number, now: number, observed: boolean): void {
    const slow = duration >= this.#slowCallDuration;
    if (observed) {
      if (failed) this.#onFailure.emit({ duration, handled: true, reason: { value } });
      else this.#onSuccess.emit({ duration });
    }
    if (generation !== this.#generation) return;
    if (failed) this.#outcome(true, slow, now, { kind: 'result', value });
    else this.#outcome(slow, slow, now, slow ? { kind: 'slow', durationMs: duration } : undefined);
  }

  #settleError(error: unknown, cancelled: boolean, generation: number, duration: number, now: number, observed: boolean): void {
    const handled = !cancelled && passes(this.#handle, error, true);
    if (observed) this.#onFailure.emit({ duration, handled, reason: { error } });
    if (generation !== this.#generation) return;
    if (handled) this.#outcome(true, duration >= this.#slowCallDuration, now, { kind: 'error', error });
    else if (this.#state === 'half-open') this.#probesRunning--; // neither success nor failure: free the slot, the decision waits for the next probe
  }

  /** Applies the outcome of a call that started in the current generation. */
  #outcome(failed: boolean, slow: boolean, now: number, reason: BreakReason | undefined): void {
    if (this.#state === 'closed') {
      if (this.#window.record(failed, slow, now)) this.#open(reason!);
      return;
    }
    // Same generation and not closed: a probe of the half-open period it started in.
    this.#probesRunning--;
    if (failed) this.#open(reason!);
    else if (++this.#probesSucceeded >= this.halfOpenProbes) this.#close();
  }

  #open(reason: BreakReason): void {
    const from = this.#state;
    const breakDurationMs = this.#durations.forOpen(++this.#opens);
    this.#halfOpenAt = this.#clock.now() + breakDurationMs;
    this.#enter('open');
    if (this.#onBreak.hasListeners) this.#onBreak.emit({ policy: this.name, reason, breakDurationMs });
    this.#changed(from, 'open');
  }

  #enterHalfOpen(): void {
    this.#enter('half-open');
    if (this.#onHalfOpen.hasListeners) this.#onHalfOpen.emit({ policy: this.name });
    this.#changed('open', 'half-open');
  }

  #close(): void {
    const from = this.#state;
    this.#opens = 0;
    this.#window.reset();
    this.#enter('closed');
    if (this.#onReset.hasListeners) this.#onReset.emit({ policy: this.name });
    this.#changed(from, 'closed');
  }

  #enter(state: CircuitState): void {
    this.#generation++;
    this.#state = state;
    this.#probesRunning = 0;
    this.#probesSucceeded = 0;
    if (this.#store !== undefined) {
      try {
        this.#store.save(this.toJSON());
      } catch (error) {
        rethrowLater(error);
      }
    }
  }

  #changed(from: CircuitState, to: CircuitState): void {
    if (this.#onStateChange.hasListeners) this.#onStateChange.emit({ policy: this.name, from, to });
  }
}

/**
 * Stops calling a dependency that keeps failing, then lets a bounded number of probe calls
 * through to find out whether it recovered. Every caller that is not a probe fails fast with a
 * {@link CircuitOpenError}; nobody waits.
 *
 * @example
 * const breaker = circuitBreaker({
 *   strategy: countWindow({ size: 50, failureRatio: 0.5, minimumCalls: 20 }),
 *   breakDuration: 10_000,
 *   breakDurationBackoff: { factor: 2, max: 120_000 },
 *   handleResult: (res: Response) => res.status >= 500,
 * });
 * const res = await breaker.execute(({ signal }) => fetch(url, { signal }));
 */
export function circuitBreaker(options?: CircuitBreakerOptions): CircuitBreakerPolicy {
  return new CircuitBreakerPolicy(options);
}
