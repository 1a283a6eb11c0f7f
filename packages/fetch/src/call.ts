import { isAbortable, withCause, type TimeoutError } from '@breakwater/core';
import type { AttemptOutcome, GiveUpReason } from '@breakwater/retry';
import type { FetchAttempt } from './attempt.ts';
import { inFlightConflicts, isInFlightConflict } from './conflict.ts';
import { discard, isResponse } from './discard.ts';
import { FetchAttemptsError, type FetchGiveUpReason } from './errors/fetch-attempts-error.ts';
import { AttemptAbort, CallDeadline, type DeadlineOwner } from './fetch-timeout.ts';
import { hedgedRound } from './hedge.ts';
import { originOf } from './plan-breakers.ts';
import type { PreparedRequest } from './request.ts';
import type { Plan } from './resolve.ts';
import type { ClientEvents } from './client-events.ts';

/** Which call (and which of its attempts) a failed outcome came from, for retry's events to find. */
export interface OutcomeOwner {
  readonly call: Call;
  readonly attempt: FetchAttempt;
}

/**
 * Failed outcomes (retryable responses, errors) → their call. The retry policy's events carry
 * the outcome but not the call, and are shared by every call of a client; this map lets one
 * listener per policy find the call without a listener per call.
 */
export const outcomeOwners = new WeakMap<object, OutcomeOwner>();

/** `#outerCancel()` when nothing around the attempt was cancelled. */
const NOT_CANCELLED: unique symbol = Symbol('not cancelled');

/**
 * One call of a resilient fetch: its request, its plan and what each attempt did.
 *
 * The layers (deadline → retry → breaker → attempt timeout) are not nested policies: each
 * policy's `execute` costs a frame, a context and a closure on every request. The call makes its
 * first round itself, settles the breaker with a permit, and hands the retry policy only a first
 * round that failed (`afterFirstAttempt`): the same decisions and events as `execute`, on the
 * path that rarely runs.
 */
export class Call implements DeadlineOwner {
  readonly plan: Plan;
  readonly request: PreparedRequest;
  readonly events: ClientEvents;
  readonly attempts: FetchAttempt[] = [];
  readonly retryAllowed: boolean;
  readonly hedgingAllowed: boolean;
  /** Set by the retry policy's onGiveUp when this call's retries ended. */
  giveUp: GiveUpReason | undefined;
  /** Rounds started (retry attempts of the retry policy). */
  rounds = 0;
  /** The call's signal for what outlives one attempt (retry delays, hedged rounds); made when first needed. */
  #controller: AbortController | undefined;
  /** The attempt in flight under the call itself, which the deadline and the caller abort directly. */
  #current: AttemptAbort | undefined;
  /** Why the call was aborted first (its deadline or the caller), once it was. */
  #cancelReason: unknown = NOT_CANCELLED;
  #onCallerAbort: (() => void) | undefined;
  /** Set when the total deadline passed. */
  #deadlineError: TimeoutError | undefined;
  /** The total deadline's entry, once armed. */
  #deadline: CallDeadline | undefined;
  /**
   * When the call began, and when its latest attempt ended (clock readings). The clock is read
   * once per boundary and shared: the call's start is its first attempt's start, and the end of
   * the attempt that settled a round is that round's end.
   */
  #startedAt = 0;
  #settledAt = 0;

  constructor(plan: Plan, request: PreparedRequest, events: ClientEvents) {
    this.plan = plan;
    this.request = request;
    this.events = events;
    const { method, replayable, hasKey } = request;
    const idempotentMethod = plan.retry?.methods.has(method) ?? DEFAULT_IDEMPOTENT.has(method);
    const keyed = (method === 'POST' || method === 'PATCH') && hasKey;
    this.retryAllowed = plan.retry !== undefined && replayable && (idempotentMethod || keyed);
    // Never hedge on a key alone: two concurrent attempts with one key make the server answer
    // the second with 409 (in flight), and that answer could win the race.
    this.hedgingAllowed = plan.hedging !== undefined && replayable && idempotentMethod;
  }

  async run(): Promise<Response> {
    const { plan } = this;
    const caller = isAbortable(this.request.signal) ? this.request.signal : undefined;
    if (caller?.aborted) throw caller.reason;
    const deadline = plan.deadline;
    const startedAt = (this.#startedAt = plan.clock.now());
    if (deadline !== undefined) {
      // The attempt timeout is shorter than the deadline (or no later: resolve checks), so while
      // the first attempt runs alone the deadline cannot pass first: it is armed when the call
      // goes on past that attempt. A hedged round runs attempts side by side and needs it at once.
      const bounded = plan.attemptTimeout !== undefined && plan.attemptTimeout.duration < deadline.duration;
      if (!bounded || this.hedgingAllowed) this.#deadline = new CallDeadline(this, deadline, deadline.duration, startedAt);
    }
    // Attempts with their own controller (a deadline or an attempt timeout) hear of the
    // caller's abort through the call; without one, they are handed the caller's signal.
    if (caller !== undefined && (deadline !== undefined || plan.attemptTimeout !== undefined)) {
      const onCallerAbort = (this.#onCallerAbort = () => this.#abortAll(caller.reason));
      caller.addEventListener('abort', onCallerAbort, { once: true });
    }
    const retry = this.retryAllowed ? plan.retry : undefined;
    let response: Response;
    try {
      if (retry === undefined) response = await this.#round(caller, 0);
      else {
        // The first round is made here; the retry policy takes the call only when it failed.
        let first: AttemptOutcome<Response> | undefined;
        let answer: Response | undefined;
        try {
          answer = await this.#round(caller, 0);
          if (retry.retryable(answer)) first = { value: answer };
          else retry.policy.firstAttemptSucceeded(this.#settledAt - startedAt);
        } catch (error) {
          first = { error };
        }
        if (first === undefined) response = answer!;
        else {
          this.#armDeadline();
          response = await retry.policy.afterFirstAttempt(first, this.#settledAt - startedAt, (context) => this.#round(caller, context.attempt), this.#callSignal(caller));
        }
      }
    } catch (error) {
      throw this.#failure(error, caller);
    } finally {
      this.#deadline?.cancel();
      if (this.#onCallerAbort !== undefined) caller!.removeEventListener('abort', this.#onCallerAbort);
    }
    if (this.giveUp !== undefined && plan.throwOnRetryableStatus && plan.retry?.statuses.has(response.status)) {
      discard(response);
      throw this.#attemptsError('retryable-status', undefined);
    }
    return response;
  }

  /**
   * Arms the deadline left unarmed while the first attempt's timeout bounded the call, now that
   * the call goes on: it passes at once if its time is up, else when the time left runs out.
   */
  #armDeadline(): void {
    const { deadline, clock } = this.plan;
    if (deadline === undefined || this.#deadline !== undefined) return;
    const now = clock.now();
    const left = this.#startedAt + deadline.duration - now;
    if (left <= 0) this.deadlinePassed(deadline.error());
    else this.#deadline = new CallDeadline(this, deadline, left, now);
  }

  #round(caller: AbortSignal | undefined, round: number): Promise<Response> {
    this.rounds = round + 1;
    if (this.hedgingAllowed) return hedgedRound(this, this.#callSignal(caller), round);
    return this.attempt(undefined, undefined, round, 0, undefined);
  }

  /**
   * The call's signal, aborted by its deadline or the caller: what retry delays and hedged rounds
   * follow. Without a deadline that is the caller's own. Made on first use: a call whose first
   * attempt succeeds never needs it.
   */
  #callSignal(caller: AbortSignal | undefined): AbortSignal | undefined {
    if (this.plan.deadline === undefined) return caller;
    let controller = this.#controller;
    if (controller === undefined) {
      controller = this.#controller = new AbortController();
      if (this.#cancelReason !== NOT_CANCELLED) controller.abort(this.#cancelReason);
      else if (caller?.aborted) controller.abort(caller.reason);
    }
    return controller.signal;
  }

  /** The total deadline passed: everything in flight is aborted with its `TimeoutError`. */
  deadlinePassed(error: TimeoutError): void {
    this.#deadlineError = error;
    this.#abortAll(error);
  }

  #abortAll(reason: unknown): void {
    if (this.#cancelReason === NOT_CANCELLED) this.#cancelReason = reason;
    const controller = this.#controller;
    if (controller !== undefined && !controller.signal.aborted) controller.abort(reason);
    const current = this.#current?.controller;
    if (current !== undefined && !current.signal.aborted) current.abort(reason);
  }

  /** Why what the attempt runs under (its hedge round, else the call) was cancelled; NOT_CANCELLED if it was not. */
  #outerCancel(round: AbortSignal | undefined): unknown {
    if (round !== undefined) return round.aborted ? round.reason : NOT_CANCELLED;
    if (this.#cancelReason !== NOT_CANCELLED) return this.#cancelReason;
    const caller = this.request.signal;
    return caller?.aborted ? caller.reason : NOT_CANCELLED;
  }

  /**
   * One attempt: the breaker of the target's key admits it, the attempt timeout and the bulkhead
   * bound it, and what happened is recorded. `round` is a hedge's signal to follow, undefined for
   * an attempt of the call itself; `target` a hedge's URL, undefined for the request's own;
   * `onRecord` sees the record before the attempt starts.
   */
  async attempt(round: AbortSignal | undefined, target: URL | undefined, retry: number, hedge: number, onRecord: ((attempt: FetchAttempt) => void) | undefined): Promise<Response> {
    const { plan, request } = this;
    const origin = target === undefined ? request.origin : target.origin;
    const record: FetchAttempt = { index: this.attempts.length, retry, hedge, origin, durationMs: 0 };
    this.attempts.push(record);
    onRecord?.(record);
    // The default key is the origin, known without parsing the URL.
    const breaker = plan.breakers?.get(plan.breakerKey === originOf ? origin : plan.breakerKey(target ?? request.url));
    const started = record.index === 0 ? this.#startedAt : plan.clock.now();
    let permit = -1;
    let abort: AttemptAbort | undefined;
    let onRoundAbort: (() => void) | undefined;
    try {
      const cancelled = this.#outerCancel(round);
      if (cancelled !== NOT_CANCELLED) throw cancelled;
      if (breaker !== undefined) permit = breaker.acquirePermit();
      const timeout = plan.attemptTimeout;
      let signal: AbortSignal | undefined;
      if (round === undefined) {
        // The call's own attempt: the deadline and the caller abort it through #abortAll.
        if (timeout !== undefined || plan.deadline !== undefined) {
          abort = this.#current = new AttemptAbort(timeout, started);
          signal = abort.controller.signal;
        } else if (isAbortable(request.signal)) signal = request.signal;
      } else if (timeout !== undefined) {
        const own = (abort = new AttemptAbort(timeout, started));
        onRoundAbort = () => own.controller.abort(round.reason);
        round.addEventListener('abort', onRoundAbort, { once: true });
        signal = own.controller.signal;
      } else signal = round;
      const response = await this.#limited(signal, target);
      const durationMs = (record.durationMs = (this.#settledAt = plan.clock.now()) - started);
      // undici's status getter checks its receiver's brand on every read: read it once.
      const status = (record.status = response.status);
      if (permit !== -1) {
        // A status the client's own breakers do not count needs no handleResult to read it again.
        const counted = plan.breakerStatuses;
        if (counted !== undefined && !counted.has(status)) breaker!.recordSuccess(permit, durationMs);
        else breaker!.recordResult(permit, response, durationMs);
      }
      const conflict = request.hasKey && status === 409 && isInFlightConflict(response);
      if (conflict) inFlightConflicts.add(response);
      if (conflict || (plan.retry?.statuses.has(status) ?? false)) outcomeOwners.set(response, { call: this, attempt: record });
      else plan.latency?.record(durationMs);
      this.events.attempt(this, record);
      return response;
    } catch (caught) {
      const outer = this.#outerCancel(round);
      const timedOut = abort?.timedOut;
      const error = timedOut !== undefined && outer === NOT_CANCELLED ? withCause(timedOut, caught) : caught;
      const durationMs = (record.durationMs = (this.#settledAt = plan.clock.now()) - started);
      if (permit !== -1) breaker!.recordError(permit, error, durationMs, error === outer);
      record.error = error;
      if (error !== null && typeof error === 'object') outcomeOwners.set(error, { call: this, attempt: record });
      this.events.attempt(this, record);
      throw error;
    } finally {
      if (abort !== undefined) {
        abort.cancel();
        if (this.#current === abort) this.#current = undefined;
      }
      if (onRoundAbort !== undefined) round!.removeEventListener('abort', onRoundAbort);
    }
  }

  #limited(signal: AbortSignal | undefined, target: URL | undefined): Promise<Response> {
    const bulkhead = this.plan.bulkhead;
    if (bulkhead === undefined) return this.#send(signal, target);
    return bulkhead.execute((context) => this.#send(context.signal, target), signal);
  }

  #send(signal: AbortSignal | undefined, target: URL | undefined): Promise<Response> {
    const { request } = this;
    const own = isAbortable(signal) ? signal : undefined;
    const caller = isAbortable(request.signal) ? request.signal : undefined;
    // The layers above unlink from the caller's signal once the response headers are in; the
    // body is read after that, so the caller's signal is joined here directly, as fetch would.
    // A signal that can never abort is not passed at all: undici registers a listener on every
    // signal it is given, and a shared never-aborting one would collect them.
    const joined = own !== undefined && caller !== undefined && own !== caller ? AbortSignal.any([caller, own]) : (own ?? caller);
    const init = joined === undefined ? request.init : { ...request.init, signal: joined };
    if (target === undefined) return this.plan.fetch(request.input, init);
    const input = typeof request.input === 'object' && !(request.input instanceof URL) ? new Request(target, request.input) : target;
    return this.plan.fetch(input, init);
  }

  /** What the call rejects with: the caller's abort as it is, else the attempts error or the lone error. */
  #failure(error: unknown, caller: AbortSignal | undefined): unknown {
    if (caller?.aborted && error === caller.reason) return error;
    const deadlineError = this.#deadlineError;
    if (deadlineError !== undefined && !caller?.aborted) return this.#attemptsError('deadline', withCause(deadlineError, error));
    const giveUp = this.giveUp;
    if (giveUp === 'budget' || giveUp === 'delay-budget' || giveUp === 'exhausted') {
      if (this.retryAllowed && (this.attempts.length > 1 || this.plan.retry!.policy.maxRetries > 0)) return this.#attemptsError(giveUp, error);
    }
    if (this.attempts.length > 1) return this.#attemptsError(giveUp === 'not-handled' || giveUp === undefined ? 'not-retryable' : toReason(giveUp), error);
    return error;
  }

  #attemptsError(reason: FetchGiveUpReason, cause: unknown): FetchAttemptsError {
    const { url, method } = this.request;
    return new FetchAttemptsError({ method, url: `${url.origin}${url.pathname}`, reason, attempts: this.attempts, cause });
  }
}

const DEFAULT_IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE', 'QUERY']);

function toReason(reason: GiveUpReason): FetchGiveUpReason {
  return reason === 'aborted' ? 'deadline' : reason === 'not-handled' ? 'not-retryable' : reason;
}

/** Releases the body of a failed outcome the retry policy is about to drop. */
export function discardOutcome(outcome: unknown): void {
  if (isResponse(outcome)) discard(outcome);
}
