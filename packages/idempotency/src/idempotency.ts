import { randomBytes } from 'node:crypto';
import { assertDuration, assertFunction, assertOptionalSignal, assertString, EventEmitter, type Event, type TimerHandle } from '@breakwater/core';
import { IdempotencyConflictError } from './errors/idempotency-conflict-error.ts';
import { IdempotencyLeaseLostError } from './errors/idempotency-lease-lost-error.ts';
import { IdempotencyMismatchError } from './errors/idempotency-mismatch-error.ts';
import { IdempotencyUnavailableError } from './errors/idempotency-unavailable-error.ts';
import { isInvalidIdempotencyKeyError } from './errors/invalid-idempotency-key-error.ts';
import { isIdempotencyNotStorableError } from './errors/idempotency-not-storable-error.ts';
import type { IdempotencyOutcome, IdempotencyOutcomeEvent, LeaseLostEvent, ReleaseReason, StoreErrorEvent, StoreOperation } from './events.ts';
import { fingerprintDigest, recordId, validateIdempotencyKey } from './key.ts';
import { LeaseKeeper } from './lease.ts';
import { resolveIdempotencyOptions, type IdempotencyOptions, type ResolvedIdempotencyOptions } from './idempotency-options.ts';
import { serialize, utf8Bytes } from './serialize.ts';
import type { ClaimResult } from './store.ts';
import type { IdempotencyLike, JsonValue, RunContext, RunOptions, RunResult } from './types.ts';

/** First and last pause between polls of a bounded wait: quick for short handlers, light for long ones. */
const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 250;
const MAX_STEP_NAME = 200;

/**
 * Owner tokens: a random per-process prefix and a counter. Unique across processes and calls,
 * which is all a token needs (it is never shown to clients), at a fraction of randomUUID()'s cost.
 */
const processToken = randomBytes(12).toString('base64url');
let ownerCount = 0;
function newOwner(): string {
  return `${processToken}.${(ownerCount++).toString(36)}`;
}

/** Reports how a `run()` call ended (emits `onOutcome`). */
type Outcome = (outcome: IdempotencyOutcome, reason?: ReleaseReason) => void;

/** A handler running now: what `close()` must stop. */
interface Running {
  readonly controller: AbortController;
  readonly lease: LeaseKeeper;
  /** `onLeaseLost` was emitted for this claim already. */
  lost: boolean;
  /** Resolves once the run is over: the outcome stored or the claim released (what `close()` drains). */
  readonly done: Promise<void>;
  readonly finished: () => void;
}

/** A claim this caller holds: what `fn`'s context, the renewals and the final store call need. */
interface Claim {
  readonly id: string;
  readonly fingerprint: string;
  readonly owner: string;
  /** Saved recovery points by name; a Map, so no name can collide with Object.prototype. */
  readonly steps: Map<string, string>;
  readonly claimedAt: number;
}

/**
 * Executes a function once per idempotency key and replays its stored outcome; see
 * {@link idempotency}.
 */
export class Idempotency implements IdempotencyLike {
  readonly name: string;
  readonly #options: ResolvedIdempotencyOptions;
  /** The handlers running now, aborted by `close()`. */
  readonly #running = new Set<Running>();
  #closed = false;
  #closing: Promise<void> | undefined;
  /** Calls between asking for the claim and running (or handing it back): what `close()` also drains. */
  readonly #acquiring = new Set<Promise<void>>();
  /** Wakes the callers pausing between polls in `#acquire` (for `close()`). */
  readonly #wakers = new Set<() => void>();
  readonly #onOutcome = new EventEmitter<IdempotencyOutcomeEvent>();
  readonly #onLeaseLost = new EventEmitter<LeaseLostEvent>();
  readonly #onStoreError = new EventEmitter<StoreErrorEvent>();

  /** Fires once per `run()` with how it ended (a closed set: a safe metrics label). */
  readonly onOutcome: Event<IdempotencyOutcomeEvent> = this.#onOutcome.event;
  /** Fires when a running holder loses its claim (its `context.signal` aborts). */
  readonly onLeaseLost: Event<LeaseLostEvent> = this.#onLeaseLost.event;
  /** Fires for every store call that threw or timed out. */
  readonly onStoreError: Event<StoreErrorEvent> = this.#onStoreError.event;

  constructor(options: IdempotencyOptions) {
    this.#options = resolveIdempotencyOptions(options);
    this.name = this.#options.name;
  }

  /** Handlers running now (holding a claim). */
  get running(): number {
    return this.#running.size;
  }

  async run<T extends JsonValue>(key: string, fingerprint: string, fn: (context: RunContext) => Promise<T>, options: RunOptions<T> = {}): Promise<RunResult<T>> {
    const startedAt = this.#options.clock.now();
    const outcome: Outcome = (name, reason) => {
      if (!this.#onOutcome.hasListeners) return;
      const durationMs = this.#options.clock.now() - startedAt;
      this.#onOutcome.emit(reason === undefined ? { name: this.name, outcome: name, durationMs } : { name: this.name, outcome: name, reason, durationMs });
    };
    try {
      validateIdempotencyKey(key);
    } catch (error) {
      if (isInvalidIdempotencyKeyError(error)) outcome('invalid');
      throw error;
    }
    assertString('fingerprint', fingerprint);
    assertFunction('fn', fn);
    checkRunOptions(options);
    const { signal } = options;
    signal?.throwIfAborted();

    const id = recordId(options.scope, key);
    const owner = newOwner();
    const claiming = this.#claim<T>(id, fingerprintDigest(fingerprint), owner, startedAt + (options.waitMs ?? this.#options.waitMs), signal, outcome);
    // Tracked until the claim is handed back or its handler is in #running: close() drains it too.
    let handedOver!: () => void;
    const tracked = new Promise<void>((resolve) => (handedOver = resolve));
    this.#acquiring.add(tracked);
    let executing: Promise<RunResult<T>>;
    try {
      const acquired = await claiming;
      if ('replayed' in acquired) return acquired;
      // close() came while the claim was on its way: no handler may start after close.
      if (this.#closed) {
        await this.#release(acquired);
        outcome('unavailable');
        throw new IdempotencyUnavailableError(this.#options.retryAfterMs, { reason: 'closed' });
      }
      // Synchronously registers the handler in #running (before any await).
      executing = this.#execute(acquired, fn, options, outcome);
    } finally {
      this.#acquiring.delete(tracked);
      handedOver();
    }
    return executing;
  }

  /** `#acquire`, then hands the claim back if the caller left meanwhile. */
  async #claim<T extends JsonValue>(
    id: string,
    fingerprint: string,
    owner: string,
    waitUntil: number,
    signal: AbortSignal | undefined,
    outcome: Outcome,
  ): Promise<Claim | RunResult<T>> {
    const acquired = await this.#acquire<T>(id, fingerprint, owner, waitUntil, signal, outcome);
    if ('replayed' in acquired) return acquired;
    const claim = acquired;
    // The caller left (e.g. the client disconnected) between asking and getting the claim: hand it back.
    if (signal?.aborted) {
      await this.#release(claim);
      outcome('released', 'aborted');
      throw signal.reason;
    }
    return claim;
  }

  /**
   * Asks the store for the claim until it is granted (→ the claim) or the record answers for
   * itself (→ a replay, or a mismatch or conflict thrown). While another caller holds the key,
   * polls until `waitUntil` (25 ms, doubling to 250 ms), bounded by `signal` too.
   */
  async #acquire<T extends JsonValue>(
    id: string,
    fingerprint: string,
    owner: string,
    waitUntil: number,
    signal: AbortSignal | undefined,
    outcome: Outcome,
  ): Promise<Claim | RunResult<T>> {
    const clock = this.#options.clock;
    for (let pause = FIRST_POLL_MS; ; pause = Math.min(pause * 2, MAX_POLL_MS)) {
      // Checked on every lap: close() may come while this caller waits.
      if (this.#closed) {
        outcome('unavailable');
        throw new IdempotencyUnavailableError(this.#options.retryAfterMs, { reason: 'closed' });
      }
      // The lease starts when the store handles the claim, after this: renewals count from here.
      const askedAt = clock.now();
      let result: ClaimResult;
      try {
        result = await this.#options.store.claim(id, fingerprint, owner, this.#options.leaseMs, this.#options.ttlMs);
      } catch (error) {
        this.#storeError('claim', error);
        outcome('unavailable');
        throw new IdempotencyUnavailableError(this.#options.retryAfterMs, { cause: error });
      }
      switch (result.status) {
        case 'claimed':
          return { id, fingerprint, owner, steps: new Map(Object.entries(result.steps)), claimedAt: askedAt };
        case 'completed':
          outcome('replayed');
          return { value: JSON.parse(result.outcome) as T, replayed: true };
        case 'mismatch':
          outcome('mismatch');
          throw new IdempotencyMismatchError();
        case 'in-flight':
          break;
      }
      const now = clock.now();
      if (now >= waitUntil) {
        outcome('conflict');
        throw new IdempotencyConflictError(Math.max(1, Math.ceil(Math.min(this.#options.retryAfterMs, result.leaseRemainingMs))));
      }
      try {
        await this.#pause(Math.min(pause, waitUntil - now), signal);
      } catch (error) {
        outcome('conflict');
        throw error;
      }
    }
  }

  /**
   * A pause between polls: ends after `ms`, when `signal` aborts (rejects with its reason) or
   * when `close()` wakes every waiting caller (the loop then fails it with a closed error).
   */
  #pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const clock = this.#options.clock;
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#wakers.delete(wake);
      };
      const onAbort = (): void => {
        done();
        reject(signal!.reason);
      };
      const wake = (): void => {
        done();
        resolve();
      };
      const timer = clock.setTimeout(wake, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#wakers.add(wake);
    });
  }

  /**
   * Stops renewals, aborts the signal of every running handler, wakes the callers waiting for
   * an in-flight key (they reject with `IdempotencyUnavailableError`), and resolves once the
   * running handlers settled and their outcomes were stored or their claims released, or one
   * lease (`leaseMs`, on the injected clock) after the call at the latest: by then a handler
   * that ignores its signal has lost its claim anyway. Later `run()` calls fail with
   * `IdempotencyUnavailableError`. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    const reason = new IdempotencyLeaseLostError(`The idempotency object \`${this.name}\` was closed`);
    const draining: Promise<void>[] = [];
    for (const running of this.#running) {
      running.lease.stop();
      draining.push(running.done);
      if (running.lost) continue;
      running.lost = true;
      this.#onLeaseLost.emit({ name: this.name, reason: 'closed' });
      running.controller.abort(reason);
    }
    draining.push(...this.#acquiring);
    for (const wake of [...this.#wakers]) wake();
    this.#closing = draining.length === 0 ? Promise.resolve() : this.#drain(draining);
    return this.#closing;
  }

  async #drain(draining: readonly Promise<void>[]): Promise<void> {
    const clock = this.#options.clock;
    let timer: TimerHandle | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = clock.setTimeout(resolve, this.#options.leaseMs);
    });
    try {
      await Promise.race([Promise.all(draining), bound]);
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer);
    }
  }

  async #execute<T extends JsonValue>(
    claim: Claim,
    fn: (context: RunContext) => Promise<T>,
    options: RunOptions<T>,
    outcome: Outcome,
  ): Promise<RunResult<T>> {
    const controller = new AbortController();
    const lease = new LeaseKeeper({
      store: this.#options.store,
      id: claim.id,
      owner: claim.owner,
      leaseMs: this.#options.leaseMs,
      maxHoldMs: this.#options.maxHoldMs,
      clock: this.#options.clock,
      claimedAt: claim.claimedAt,
      lost: (reason, cause) => {
        running.lost = true;
        this.#onLeaseLost.emit({ name: this.name, reason });
        const message = reason === 'max-hold' ? `The handler held its idempotency claim longer than \`maxHoldMs\` (${this.#options.maxHoldMs}ms)` : undefined;
        controller.abort(new IdempotencyLeaseLostError(message, cause === undefined ? undefined : { cause }));
      },
      renewFailed: (error) => this.#storeError('renew', error),
    });
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const running: Running = { controller, lease, lost: false, done, finished };
    this.#running.add(running);
    try {
      return await this.#settle(claim, running, fn, options, outcome);
    } finally {
      running.finished();
    }
  }

  async #settle<T extends JsonValue>(
    claim: Claim,
    running: Running,
    fn: (context: RunContext) => Promise<T>,
    options: RunOptions<T>,
    outcome: Outcome,
  ): Promise<RunResult<T>> {
    const { controller } = running;

    let value: T;
    try {
      value = await fn({ signal: controller.signal, step: (name, stepFn) => this.#step(claim, controller.signal, name, stepFn) });
    } catch (error) {
      this.#finish(running);
      await this.#release(claim);
      // The work is done but its outcome cannot be kept (e.g. a streamed HTTP response).
      if (isIdempotencyNotStorableError(error)) outcome('released', 'not-storable');
      else outcome('failed');
      throw error;
    }
    this.#finish(running);

    let text: string;
    try {
      text = serialize(value, 'outcome');
    } catch (error) {
      await this.#release(claim);
      outcome('failed');
      throw error;
    }
    let final: boolean;
    try {
      final = options.shouldStore === undefined || options.shouldStore(value);
    } catch (error) {
      await this.#release(claim);
      outcome('failed');
      throw error;
    }
    if (!final) {
      await this.#release(claim);
      outcome('released', 'not-final');
      return { value, replayed: false };
    }
    if (utf8Bytes(text) > this.#options.maxRecordBytes) {
      await this.#release(claim);
      outcome('released', 'too-large');
      return { value, replayed: false };
    }
    try {
      const stored = await this.#options.store.complete(claim.id, claim.owner, claim.fingerprint, text, this.#options.ttlMs);
      // Another holder took the key after this one's lease lapsed; its run decides the record.
      if (!stored && !running.lost) this.#onLeaseLost.emit({ name: this.name, reason: 'rejected' });
    } catch (error) {
      // The work is done and its result is the caller's; only the replay is lost (the lease lapses).
      this.#storeError('complete', error);
    }
    outcome('executed');
    return { value, replayed: false };
  }

  #finish(running: Running): void {
    running.lease.stop();
    this.#running.delete(running);
  }

  async #step<S extends JsonValue>(claim: Claim, signal: AbortSignal, name: string, fn: () => Promise<S> | S): Promise<S> {
    assertString('name', name, { min: 1, max: MAX_STEP_NAME });
    assertFunction('fn', fn);
    const saved = claim.steps.get(name);
    if (saved !== undefined) return JSON.parse(saved) as S;
    signal.throwIfAborted();
    const value = await fn();
    const text = serialize(value, `result of step \`${name}\``);
    if (utf8Bytes(text) > this.#options.maxRecordBytes) {
      throw new RangeError(`The result of step \`${name}\` has ${utf8Bytes(text)} bytes; \`maxRecordBytes\` is ${this.#options.maxRecordBytes}`);
    }
    let stored: boolean;
    try {
      stored = await this.#options.store.saveStep(claim.id, claim.owner, name, text);
    } catch (error) {
      this.#storeError('save-step', error);
      throw new IdempotencyUnavailableError(this.#options.retryAfterMs, { cause: error, reason: `step \`${name}\` could not be saved` });
    }
    if (!stored) throw new IdempotencyLeaseLostError(`The idempotency claim was lost before step \`${name}\` could be saved`);
    claim.steps.set(name, text);
    return value;
  }

  /** Frees the claim; a store error is reported, not thrown (the lease lapses on its own). */
  async #release(claim: Claim): Promise<void> {
    try {
      await this.#options.store.release(claim.id, claim.owner);
    } catch (error) {
      this.#storeError('release', error);
    }
  }

  #storeError(operation: StoreOperation, error: unknown): void {
    this.#onStoreError.emit({ name: this.name, operation, error });
  }
}

function checkRunOptions<T extends JsonValue>(options: RunOptions<T>): void {
  if (options === null || typeof options !== 'object') throw new TypeError(`Expected the options of run() to be an object, got ${typeof options}`);
  if (options.scope !== undefined) assertString('scope', options.scope);
  assertOptionalSignal('signal', options.signal);
  if (options.shouldStore !== undefined) assertFunction('shouldStore', options.shouldStore);
  if (options.waitMs !== undefined) assertDuration('waitMs', options.waitMs);
}

/**
 * Creates an idempotency object: `run(key, fingerprint, fn)` claims the key (scoped by
 * `scope`), runs `fn` once, stores its outcome and replays it to every later caller.
 *
 * ```ts
 * const idem = idempotency({ store: memoryStore() });
 * const { value, replayed } = await idem.run(key, bodyHash, () => charge(card), { scope: userId });
 * ```
 */
export function idempotency(options: IdempotencyOptions): Idempotency {
  return new Idempotency(options);
}
