import { isAbortable, withCause, type TimeoutError } from '@breakwater/core';
import type { GiveUpReason } from '@breakwater/retry';
import type { FetchAttempt } from './attempt.ts';
import { inFlightConflicts, isInFlightConflict } from './conflict.ts';
import { discard, isResponse } from './discard.ts';
import { FetchAttemptsError, type FetchGiveUpReason } from './errors/fetch-attempts-error.ts';
import { AttemptAbort, CallDeadline, type DeadlineOwner, type FetchTimeout } from './fetch-timeout.ts';
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

/** One call of a resilient fetch: its request, its plan and what each attempt did. */
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
  /** The call's own signal's controller, when it has a deadline: aborted by the deadline or the caller. */
  #controller: AbortController | undefined;
  /** The attempt in flight under the call's own signal, which the deadline aborts directly. */
  #current: AttemptAbort | undefined;
  /** Set when the total deadline passed. */
  #deadlineError: TimeoutError | undefined;

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
    const deadline = plan.deadline;
    let response: Response;
    if (deadline === undefined) {
      try {
        response = await this.#retrying(caller);
      } catch (error) {
        throw this.#failure(error, caller);
      }
    } else {
      if (caller?.aborted) throw caller.reason;
      // One controller for the call, aborted by its deadline entry or the caller; the deadline
      // also aborts the attempt in flight itself, so no layer links signals with a listener.
      const controller = (this.#controller = new AbortController());
      const entry = new CallDeadline(this, deadline);
      const onCallerAbort = caller === undefined ? undefined : () => this.#abortAll(caller.reason);
      if (onCallerAbort !== undefined) caller!.addEventListener('abort', onCallerAbort, { once: true });
      try {
        response = await this.#retrying(controller.signal);
      } catch (error) {
        throw this.#failure(error, caller);
      } finally {
        entry.cancel();
        if (onCallerAbort !== undefined) caller!.removeEventListener('abort', onCallerAbort);
      }
    }
    if (this.giveUp !== undefined && plan.throwOnRetryableStatus && plan.retry?.statuses.has(response.status)) {
      discard(response);
      throw this.#attemptsError('retryable-status', undefined);
    }
    return response;
  }

  /** The total deadline passed: everything in flight is aborted with its `TimeoutError`. */
  deadlinePassed(error: TimeoutError): void {
    this.#deadlineError = error;
    this.#abortAll(error);
  }

  #abortAll(reason: unknown): void {
    const controller = this.#controller!;
    if (!controller.signal.aborted) controller.abort(reason);
    const current = this.#current?.controller;
    if (current !== undefined && !current.signal.aborted) current.abort(reason);
  }

  #retrying(signal: AbortSignal | undefined): Promise<Response> {
    const retry = this.retryAllowed ? this.plan.retry : undefined;
    if (retry === undefined) return this.#round(signal, 0);
    return retry.policy.execute((context) => this.#round(context.signal, context.attempt), signal);
  }

  #round(signal: AbortSignal | undefined, round: number): Promise<Response> {
    this.rounds = round + 1;
    if (this.hedgingAllowed) return hedgedRound(this, signal, round);
    return this.attempt(signal, undefined, round, 0, undefined);
  }

  /**
   * One attempt through the per-attempt layers: breaker of the target's key → attempt timeout →
   * bulkhead → fetch. Records what happened. `target` is a hedge's URL, undefined for the
   * request's own; `onRecord` sees the record before the attempt starts.
   */
  async attempt(signal: AbortSignal | undefined, target: URL | undefined, round: number, hedge: number, onRecord: ((attempt: FetchAttempt) => void) | undefined): Promise<Response> {
    const { plan, request } = this;
    const origin = target === undefined ? request.origin : target.origin;
    const record: FetchAttempt = { index: this.attempts.length, retry: round, hedge, origin, durationMs: 0 };
    this.attempts.push(record);
    onRecord?.(record);
    const started = plan.clock.now();
    try {
      // The default key is the origin, known without parsing the URL.
      const breaker = plan.breakers?.get(plan.breakerKey === originOf ? origin : plan.breakerKey(target ?? request.url));
      const response = await (breaker === undefined ? this.#timed(signal, target) : breaker.execute((context) => this.#timed(context.signal, target), signal));
      record.durationMs = plan.clock.now() - started;
      record.status = response.status;
      const conflict = request.hasKey && isInFlightConflict(response);
      if (conflict) inFlightConflicts.add(response);
      if (conflict || (plan.retry?.statuses.has(response.status) ?? false)) outcomeOwners.set(response, { call: this, attempt: record });
      else plan.latency?.record(record.durationMs);
      this.events.attempt(this, record);
      return response;
    } catch (error) {
      record.durationMs = plan.clock.now() - started;
      record.error = error;
      if (error !== null && typeof error === 'object') outcomeOwners.set(error, { call: this, attempt: record });
      this.events.attempt(this, record);
      throw error;
    }
  }

  #timed(signal: AbortSignal | undefined, target: URL | undefined): Promise<Response> {
    const timeout = this.plan.attemptTimeout;
    if (timeout === undefined) return this.#limited(signal, target);
    return this.#timedAttempt(timeout, signal, target);
  }

  /** An attempt under its own controller, aborted by the attempt timeout or by `signal`. */
  async #timedAttempt(timeout: FetchTimeout, signal: AbortSignal | undefined, target: URL | undefined): Promise<Response> {
    if (signal?.aborted) throw signal.reason;
    const attempt = new AttemptAbort(timeout);
    // The call's own signal needs no listener: the deadline aborts the current attempt itself.
    // Any other (the caller's when there is no deadline, a hedge's) is followed.
    let onAbort: (() => void) | undefined;
    if (signal !== undefined && signal === this.#controller?.signal) this.#current = attempt;
    else if (isAbortable(signal)) {
      onAbort = () => attempt.controller.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    try {
      return await this.#limited(attempt.controller.signal, target);
    } catch (error) {
      throw attempt.timedOut !== undefined && !signal?.aborted ? withCause(attempt.timedOut, error) : error;
    } finally {
      attempt.cancel();
      if (this.#current === attempt) this.#current = undefined;
      if (onAbort !== undefined) signal!.removeEventListener('abort', onAbort);
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
