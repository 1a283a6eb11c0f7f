import type { IDefaultPolicyContext, IFailureEvent, IPolicy, ISuccessEvent } from 'cockatiel';
import type { Event } from './events.ts';

/** What every policy hands the function it runs: at least the signal to honour. */
export type PolicyContext = IDefaultPolicyContext;

/** Emitted by a policy's `onSuccess`: the call's duration in ms (cockatiel's `ISuccessEvent`). */
export type SuccessEvent = ISuccessEvent;

/** Emitted by a policy's `onFailure` (cockatiel's `IFailureEvent`). */
export type FailureEvent = IFailureEvent;

/**
 * A policy wraps a call: `execute(fn, signal?)`. This is cockatiel's `IPolicy`, so Breakwater
 * and cockatiel policies nest in either library's `wrap()`.
 */
export interface Policy<C extends PolicyContext = PolicyContext, AltReturn = never> extends IPolicy<C, AltReturn> {
  readonly onSuccess: Event<SuccessEvent>;
  readonly onFailure: Event<FailureEvent>;
}

/** Decides whether an error is one the policy acts on (retries, counts as a failure, replaces). */
export type ErrorFilter = (error: unknown) => boolean;

/** Decides whether a returned value counts as a failure, e.g. a `Response` with status 503. */
export type ResultFilter<T = unknown> = (value: T) => boolean;

export type { IPolicy, IDefaultPolicyContext };
