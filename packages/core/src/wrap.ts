import type { IPolicy } from 'cockatiel';
import { SignalContext } from './context.ts';
import type { Event } from './events.ts';
import type { FailureEvent, PolicyContext, SuccessEvent } from './policy.ts';

type AnyPolicy = IPolicy<PolicyContext, unknown>;
type AltOf<P> = P extends IPolicy<PolicyContext, infer A> ? A : never;
type ContextOf<P> = P extends IPolicy<infer C, unknown> ? C : never;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** A chain of policies made by {@link wrap}: itself a policy. */
export interface WrappedPolicy<P extends readonly AnyPolicy[]> extends IPolicy<UnionToIntersection<ContextOf<P[number]>> & PolicyContext, AltOf<P[number]>> {
  /** The policies, outermost first. */
  readonly wrapped: P;
  /** The outermost policy's events. */
  readonly onSuccess: Event<SuccessEvent>;
  readonly onFailure: Event<FailureEvent>;
}

/**
 * Nests policies, outermost first: `wrap(timeout, retry, breaker, bulkhead)` runs
 * `timeout(retry(breaker(bulkhead(fn))))`. Accepts Breakwater and cockatiel policies alike.
 * The function receives the merged contexts (e.g. retry's `attempt`) and the innermost signal,
 * which aborts when any layer's does.
 */
export function wrap<const P extends readonly AnyPolicy[]>(...policies: P): WrappedPolicy<P> {
  if (policies.length === 0) throw new TypeError('Expected `wrap()` to receive at least one policy, got none');
  for (const [index, policy] of policies.entries()) {
    if (policy === null || typeof policy !== 'object' || typeof (policy as AnyPolicy).execute !== 'function') {
      throw new TypeError(`Expected argument ${index} of \`wrap()\` to be a policy with execute(), got \`${String(policy)}\` (${typeof policy})`);
    }
  }
  const outer = policies[0] as AnyPolicy;
  const count = policies.length;

  const run = (fn: (context: PolicyContext) => unknown, context: PolicyContext, index: number): unknown => {
    if (index === count) return fn(context);
    return (policies[index] as AnyPolicy).execute((next) => run(fn, merge(context, next), index + 1), context.signal);
  };

  return {
    _altReturn: undefined as never,
    wrapped: policies,
    onSuccess: outer.onSuccess as Event<SuccessEvent>,
    onFailure: outer.onFailure as Event<FailureEvent>,
    execute(fn: (context: PolicyContext) => unknown, signal?: AbortSignal) {
      return outer.execute((context) => run(fn, context, 1), signal);
    },
  } as unknown as WrappedPolicy<P>;
}

/** The outer context with the inner layer's additions, copying only when something was added. */
function merge(context: PolicyContext, next: PolicyContext): PolicyContext {
  if (next === context) return context;
  if (isExactlySignalContext(next)) {
    if (next.signal === context.signal) return context;
    return isExactlySignalContext(context) ? next : { ...context, signal: next.signal };
  }
  for (const key in context) if (!(key in next)) return { ...context, ...next };
  return next;
}

/** A SignalContext itself, not a subclass that may carry more keys. */
// Returns a plain boolean: SignalContext and PolicyContext have the same shape, so a type guard
// would narrow the other branch to never.
function isExactlySignalContext(context: object): boolean {
  return context.constructor === SignalContext;
}
