import {
  EventEmitter,
  neverAbortedSignal,
  raceAbort,
  SignalContext,
  type Clock,
  type Event,
  type FailureEvent,
  type Policy,
  type PolicyContext,
  type SuccessEvent,
} from '@breakwater/core';
import { ALGORITHMS } from './algorithms/index.ts';
import type { AlgorithmName } from './algorithms/algorithm.ts';
import { openDecision, toDecision } from './decision.ts';
import { RateLimitedError } from './errors/rate-limited-error.ts';
import { RateLimitUnavailableError } from './errors/rate-limit-unavailable-error.ts';
import type { OutageMode, RateLimitDecisionEvent, RateLimitDegradedEvent, RateLimitRecoveredEvent, RateLimitStoreErrorEvent } from './events.ts';
import { MemoryStore } from './memory-store.ts';
import { assertCost, resolveRateLimiterOptions, type RateLimiterOptions } from './rate-limiter-options.ts';
import type { LimiterSpec, RateLimitStore, StoreReply } from './store.ts';
import type { LimitDescription, RateLimitDecision, RateLimiterLike } from './types.ts';

/**
 * A rate limiter: `check(key, cost)` answers a decision, `execute(fn)` runs `fn` or throws
 * {@link RateLimitedError}. It is a policy (cockatiel `IPolicy`), so it nests in `wrap()`.
 * See {@link rateLimit}.
 */
export class RateLimiter implements RateLimiterLike, Policy {
  declare readonly _altReturn: never;
  readonly name: string;
  readonly limits: readonly LimitDescription[];
  readonly algorithm: AlgorithmName;
  readonly store: RateLimitStore;
  /** What a decision does while the store fails. */
  readonly outage: OutageMode;
  readonly #spec: LimiterSpec;
  readonly #fallbackSpec: LimiterSpec;
  readonly #maxCost: number;
  readonly #clock: Clock;
  readonly #recoverAfterMs: number;
  readonly #key: string | (() => string);
  readonly #cost: number | (() => number);
  /** Set while the store is considered down: when it failed first, and when to probe it. */
  #degradedSince = Number.NaN;
  #probeAt = 0;
  #probing = false;
  #fallback: MemoryStore | undefined;

  readonly #onDecision = new EventEmitter<RateLimitDecisionEvent>();
  readonly #onStoreError = new EventEmitter<RateLimitStoreErrorEvent>();
  readonly #onDegraded = new EventEmitter<RateLimitDegradedEvent>();
  readonly #onRecovered = new EventEmitter<RateLimitRecoveredEvent>();
  readonly #onSuccess = new EventEmitter<SuccessEvent>();
  readonly #onFailure = new EventEmitter<FailureEvent>();

  /** Fires for every decision (`key` is included for logs only: never a metric label). */
  readonly onDecision: Event<RateLimitDecisionEvent> = this.#onDecision.event;
  /** Fires for every failed store call, with the outage mode that answers it. */
  readonly onStoreError: Event<RateLimitStoreErrorEvent> = this.#onStoreError.event;
  /** Fires when a store failure starts an outage: decisions stop waiting on the store. */
  readonly onDegraded: Event<RateLimitDegradedEvent> = this.#onDegraded.event;
  /** Fires when a probe reaches the store again and the outage ends. */
  readonly onRecovered: Event<RateLimitRecoveredEvent> = this.#onRecovered.event;
  /** Fires when a call run by `execute()` succeeds, with its duration. */
  readonly onSuccess: Event<SuccessEvent> = this.#onSuccess.event;
  /** Fires when a call run by `execute()` fails (`handled` is false: a limiter acts on no error). */
  readonly onFailure: Event<FailureEvent> = this.#onFailure.event;

  constructor(options: RateLimiterOptions) {
    const config = resolveRateLimiterOptions(options);
    this.name = config.name;
    this.limits = config.limits;
    this.algorithm = config.algorithm;
    this.store = config.store;
    this.outage = config.outage;
    this.#maxCost = config.maxCost;
    this.#clock = config.clock;
    this.#recoverAfterMs = config.recoverAfterMs;
    this.#key = config.key;
    this.#cost = config.cost;
    if (this.store instanceof MemoryStore) this.store.useClock(config.clock);
    const algorithm = ALGORITHMS[config.algorithm];
    this.#spec = { id: config.name, algorithm, limits: config.limits, consumeWhenDenied: config.consumeWhenDenied };
    const share = config.instances;
    this.#fallbackSpec = {
      ...this.#spec,
      limits: config.limits.map((l) => ({ ...l, quota: Math.max(1, Math.ceil(l.quota / share)) })),
    };
  }

  /** True while the store is considered down and decisions use the outage mode. */
  get degraded(): boolean {
    return !Number.isNaN(this.#degradedSince);
  }

  /**
   * Decides for `key` and `cost` (default 1; from 0, a peek that counts nothing, to the smallest
   * quota). A denied request counts nothing unless `consumeWhenDenied`. Rejects with a
   * `RateLimitUnavailableError` only when the store fails and `outage` is `'fail-closed'`, with
   * `signal.reason` when `signal` aborts first (a store call already sent may still count), and
   * with a TypeError/RangeError for a bad key or cost.
   */
  check(key: string, cost = 1, signal?: AbortSignal): Promise<RateLimitDecision> {
    if (typeof key !== 'string') return Promise.reject(new TypeError(`Expected \`key\` to be a string, got ${typeof key}`));
    if (cost !== 1) {
      try {
        assertCost(cost, this.#maxCost);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);

    if (!Number.isNaN(this.#degradedSince) && (this.#probing || this.#clock.now() < this.#probeAt)) {
      return this.#decideDegraded(key, cost, undefined);
    }
    const probe = !Number.isNaN(this.#degradedSince);
    if (probe) this.#probing = true;
    let reply: StoreReply | Promise<StoreReply>;
    try {
      reply = this.store.decide(this.#spec, key, cost);
    } catch (error) {
      return this.#failed(key, cost, error, probe);
    }
    if (!(reply instanceof Promise)) return Promise.resolve(this.#decided(key, cost, reply, probe));
    const answered = reply.then(
      (r) => this.#decided(key, cost, r, probe),
      (error: unknown) => this.#failed(key, cost, error, probe),
    );
    return signal === undefined ? answered : raceAbort(answered, signal);
  }

  /**
   * `check()` without the promise, for limiters on the memory store (the default): the decision
   * is made at once, so a hot path (an in-process limit on outbound calls, a loop) pays neither
   * an allocation for the promise nor a turn of the microtask queue. Throws a TypeError for a
   * bad key, a RangeError for a bad cost, and a TypeError when the store is not the memory store
   * (a Redis store answers later: use `check()`).
   */
  checkSync(key: string, cost = 1): RateLimitDecision {
    if (typeof key !== 'string') throw new TypeError(`Expected \`key\` to be a string, got ${typeof key}`);
    if (cost !== 1) assertCost(cost, this.#maxCost);
    const store = this.store;
    if (!(store instanceof MemoryStore)) {
      throw new TypeError(`checkSync() needs the memory store; limiter \`${this.name}\` uses the ${store.kind} store, which answers asynchronously: use check()`);
    }
    return this.#decided(key, cost, store.decide(this.#spec, key, cost), false);
  }

  /**
   * Runs `fn` if the limiter admits one call of `cost` for `key` (both options), otherwise
   * throws a {@link RateLimitedError} carrying `retryAfterMs`. `fn` gets `{ signal }` (a
   * `SignalContext`), so the limiter composes in `wrap()`.
   */
  async execute<T>(fn: (context: PolicyContext) => PromiseLike<T> | T, signal: AbortSignal = neverAbortedSignal): Promise<T> {
    const key = typeof this.#key === 'function' ? this.#key() : this.#key;
    const cost = typeof this.#cost === 'function' ? this.#cost() : this.#cost;
    const decision = await this.check(key, cost, signal === neverAbortedSignal ? undefined : signal);
    if (!decision.allowed) {
      throw new RateLimitedError({
        limiter: this.name,
        policy: decision.policy,
        limit: decision.limit,
        remaining: decision.remaining,
        resetMs: decision.resetMs,
        retryAfterMs: decision.retryAfterMs,
      });
    }
    if (!this.#onSuccess.hasListeners && !this.#onFailure.hasListeners) return fn(new SignalContext(signal));
    const started = this.#clock.now();
    try {
      const value = await fn(new SignalContext(signal));
      this.#onSuccess.emit({ duration: this.#clock.now() - started });
      return value;
    } catch (error) {
      this.#onFailure.emit({ duration: this.#clock.now() - started, handled: false, reason: { error: error as Error } });
      throw error;
    }
  }

  /** Closes the store (a Redis store never closes the client it was given). */
  async close(): Promise<void> {
    await this.store.close?.();
  }

  #decided(key: string, cost: number, reply: StoreReply, probe: boolean): RateLimitDecision {
    if (probe) this.#recovered();
    const decision = toDecision(this.limits, reply, 'store');
    if (this.#onDecision.hasListeners) this.#emitDecision(key, cost, decision);
    return decision;
  }

  #failed(key: string, cost: number, error: unknown, probe: boolean): Promise<RateLimitDecision> {
    if (probe) this.#probing = false;
    const now = this.#clock.now();
    this.#probeAt = now + this.#recoverAfterMs;
    this.#onStoreError.emit({ limiter: this.name, error, mode: this.outage });
    if (Number.isNaN(this.#degradedSince)) {
      this.#degradedSince = now;
      this.#onDegraded.emit({ limiter: this.name, mode: this.outage, error });
    }
    return this.#decideDegraded(key, cost, error);
  }

  #decideDegraded(key: string, cost: number, error: unknown): Promise<RateLimitDecision> {
    let decision: RateLimitDecision;
    switch (this.outage) {
      case 'fail-closed': {
        const wait = Math.max(0, Math.ceil(this.#probeAt - this.#clock.now()));
        return Promise.reject(new RateLimitUnavailableError(this.name, wait, error));
      }
      case 'fail-open':
        decision = openDecision(this.limits);
        break;
      default: {
        this.#fallback ??= new MemoryStore({ clock: this.#clock });
        decision = toDecision(this.#fallbackSpec.limits, this.#fallback.decide(this.#fallbackSpec, key, cost), 'memory-fallback');
      }
    }
    if (this.#onDecision.hasListeners) this.#emitDecision(key, cost, decision);
    return Promise.resolve(decision);
  }

  #recovered(): void {
    this.#probing = false;
    if (Number.isNaN(this.#degradedSince)) return;
    const degradedMs = this.#clock.now() - this.#degradedSince;
    this.#degradedSince = Number.NaN;
    // Counts made during the outage stay local (as rate-limiter-flexible's insurance): dropped.
    this.#fallback = undefined;
    this.#onRecovered.emit({ limiter: this.name, mode: this.outage, degradedMs });
  }

  #emitDecision(key: string, cost: number, decision: RateLimitDecision): void {
    this.#onDecision.emit({ limiter: this.name, allowed: decision.allowed, cost, policy: decision.policy, source: decision.source, key });
  }
}

/**
 * Creates a rate limiter. The defaults: GCRA, a bounded memory store, and (with a shared store)
 * a per-process memory fallback during outages.
 *
 * ```ts
 * const limiter = rateLimit({ limits: [{ quota: 10, windowMs: 1_000 }, { quota: 1_000, windowMs: 3_600_000 }] });
 * const decision = await limiter.check(clientIp);
 * ```
 */
export function rateLimit(options: RateLimiterOptions): RateLimiter {
  return new RateLimiter(options);
}
