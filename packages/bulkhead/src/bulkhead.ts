import { EventEmitter, neverAbortedSignal, SignalContext, type Clock, type Event, type FailureEvent, type Policy, type PolicyContext, type SuccessEvent } from '@breakwater/core';
import type { AdaptiveAlgorithm } from './adaptive.ts';
import { resolveBulkheadOptions, type BulkheadOptions } from './bulkhead-options.ts';
import { BulkheadFullError } from './errors/bulkhead-full-error.ts';
import type { BulkheadQueuedEvent, BulkheadRejectedEvent, LimitChangeEvent } from './events.ts';
import type { LimitAlgorithm } from './limits/limit.ts';
import { WaitQueue } from './wait-queue.ts';

/** `'fixed'`, or the adaptive algorithm that moves the limit. */
export type BulkheadMode = 'fixed' | AdaptiveAlgorithm;

/** A concurrency limit with a bounded FIFO queue; see {@link bulkhead}. */
export class BulkheadPolicy implements Policy {
  declare readonly _altReturn: never;
  readonly name: string;
  readonly mode: BulkheadMode;
  readonly #queueCapacity: number;
  readonly #clock: Clock;
  readonly #limiter: LimitAlgorithm | undefined;
  readonly #isDrop: (error: unknown) => boolean;
  readonly #queue = new WaitQueue();
  #limit: number;
  #executing = 0;
  readonly #onRejected = new EventEmitter<BulkheadRejectedEvent>();
  readonly #onQueued = new EventEmitter<BulkheadQueuedEvent>();
  readonly #onLimitChange = new EventEmitter<LimitChangeEvent>();
  readonly #onSuccess = new EventEmitter<SuccessEvent>();
  readonly #onFailure = new EventEmitter<FailureEvent>();

  /** Fires when a caller is turned away with a {@link BulkheadFullError}. */
  readonly onRejected: Event<BulkheadRejectedEvent> = this.#onRejected.event;
  /** Fires when a caller joins the queue. */
  readonly onQueued: Event<BulkheadQueuedEvent> = this.#onQueued.event;
  /** Fires when the adaptive limit moves (never in fixed mode). */
  readonly onLimitChange: Event<LimitChangeEvent> = this.#onLimitChange.event;
  /** Fires when a call that ran succeeds, with how long it ran (queue time excluded). */
  readonly onSuccess: Event<SuccessEvent> = this.#onSuccess.event;
  /** Fires when a call that ran fails (`handled` is always false: a bulkhead acts on no error). */
  readonly onFailure: Event<FailureEvent> = this.#onFailure.event;

  constructor(options: BulkheadOptions | number) {
    const config = resolveBulkheadOptions(options);
    this.name = config.name;
    this.mode = config.adaptive?.algorithm ?? 'fixed';
    this.#limit = config.capacity;
    this.#queueCapacity = config.queue;
    this.#clock = config.clock;
    this.#limiter = config.adaptive?.limit;
    this.#isDrop = config.adaptive?.isDrop ?? rejectAll;
  }

  /** Calls running now. */
  get executing(): number {
    return this.#executing;
  }

  /** Callers waiting for a slot. */
  get queued(): number {
    return this.#queue.size;
  }

  /** The concurrency limit now; it moves in adaptive mode. */
  get capacity(): number {
    return this.#limit;
  }

  /** How many callers may wait. */
  get queueCapacity(): number {
    return this.#queueCapacity;
  }

  /** Free slots (cockatiel's name). 0 while a lowered adaptive limit is still exceeded. */
  get executionSlots(): number {
    return Math.max(0, this.#limit - this.#executing);
  }

  /** Free queue places (cockatiel's name). */
  get queueSlots(): number {
    return this.#queueCapacity - this.#queue.size;
  }

  /**
   * Runs `fn` now if a slot is free, or once one frees if the queue has room; otherwise rejects
   * at once with a {@link BulkheadFullError}. A caller whose `signal` aborts while queued leaves
   * the queue at once and is rejected with `signal.reason`; an already aborted signal rejects
   * without running `fn`. The slot is released however `fn` ends, a synchronous throw included.
   */
  async execute<T>(fn: (context: PolicyContext) => PromiseLike<T> | T, signal: AbortSignal = neverAbortedSignal): Promise<T> {
    if (signal !== neverAbortedSignal && signal.aborted) throw signal.reason;
    if (this.#executing < this.#limit) {
      this.#executing++;
    } else {
      // Decided before any await: a caller beyond capacity and queue gets an already settled rejection.
      if (this.#queue.size >= this.#queueCapacity) throw this.#reject();
      const waiting = this.#queue.wait(signal);
      if (this.#onQueued.hasListeners) this.#onQueued.emit({ policy: this.name, executing: this.#executing, queued: this.#queue.size });
      await waiting;
      // The slot is reserved for us; the caller may still have aborted in the microtask since.
      if (signal.aborted) {
        this.#release();
        throw signal.reason;
      }
    }

    // The common case: nobody listens and the limit is fixed, so nothing needs the clock.
    if (this.#limiter === undefined && !this.#onSuccess.hasListeners && !this.#onFailure.hasListeners) {
      try {
        return await fn(new SignalContext(signal));
      } finally {
        this.#release();
      }
    }
    return this.#runMeasured(fn, signal);
  }

  async #runMeasured<T>(fn: (context: PolicyContext) => PromiseLike<T> | T, signal: AbortSignal): Promise<T> {
    const inflight = this.#executing;
    let started = Number.NaN;
    try {
      // Inside the try: whatever throws from here on (even an injected clock) still releases the slot.
      started = this.#clock.now();
      const value = await fn(new SignalContext(signal));
      this.#succeeded(this.#clock.now() - started, inflight);
      return value;
    } catch (error) {
      this.#failed(this.#clock.now() - started, inflight, error, signal);
      throw error;
    } finally {
      this.#release();
    }
  }

  #release(): void {
    this.#executing--;
    // Hand freed slots to waiters right here, so a newcomer in the same tick cannot jump the queue.
    while (this.#executing < this.#limit && this.#queue.size !== 0) {
      this.#executing++;
      this.#queue.grantNext();
    }
  }

  #reject(): BulkheadFullError {
    const executing = this.#executing;
    const queued = this.#queue.size;
    if (this.#onRejected.hasListeners) this.#onRejected.emit({ policy: this.name, executing, queued });
    return new BulkheadFullError({ policy: this.name, capacity: this.#limit, queue: this.#queueCapacity, executing, queued });
  }

  #succeeded(duration: number, inflight: number): void {
    if (this.#limiter !== undefined) this.#sample(this.#limiter, duration, inflight, false);
    if (this.#onSuccess.hasListeners) this.#onSuccess.emit({ duration });
  }

  #failed(duration: number, inflight: number, error: unknown, signal: AbortSignal): void {
    // The caller's own abort says nothing about the service; other failures count only as drops.
    if (this.#limiter !== undefined && !(signal.aborted && error === signal.reason) && this.#dropped(error)) {
      this.#sample(this.#limiter, duration, inflight, true);
    }
    if (this.#onFailure.hasListeners) this.#onFailure.emit({ duration, handled: false, reason: { error } });
  }

  /** Asks `isDrop`, which must not change the call's outcome either: a throw surfaces on nextTick. */
  #dropped(error: unknown): boolean {
    try {
      return this.#isDrop(error);
    } catch (bug) {
      process.nextTick(() => {
        throw bug;
      });
      return false;
    }
  }

  #sample(limiter: LimitAlgorithm, rtt: number, inflight: number, dropped: boolean): void {
    const to = limiter.onSample(rtt, inflight, dropped);
    const from = this.#limit;
    if (to === from) return;
    // A lower limit stops nothing that runs; the next calls just wait. A higher one is used by
    // the #release that follows every sample.
    this.#limit = to;
    this.#onLimitChange.emit({ policy: this.name, from, to });
  }
}

function rejectAll(): boolean {
  return false;
}

/**
 * A bulkhead: at most `capacity` calls run at once, up to `queue` more wait in FIFO order, and
 * any caller beyond both is rejected at once with a {@link BulkheadFullError} (an adapter answers
 * 503 with `Retry-After`). With `adaptive`, the limit follows latency and drops (AIMD or
 * Gradient, after Netflix concurrency-limits).
 *
 * @example
 * const db = bulkhead({ capacity: 10, queue: 20, name: 'db' });
 * const rows = await db.execute(({ signal }) => pool.query(sql, { signal }), req.signal);
 *
 * @example
 * const api = bulkhead({ queue: 50, adaptive: { algorithm: 'gradient', min: 10, max: 500 } });
 * api.onLimitChange(({ from, to }) => log.info({ from, to }, 'concurrency limit moved'));
 */
export function bulkhead(options: BulkheadOptions | number): BulkheadPolicy {
  return new BulkheadPolicy(options);
}
