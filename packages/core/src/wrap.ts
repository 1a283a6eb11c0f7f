import type { IPolicy } from 'cockatiel';
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
    return (policies[index] as AnyPolicy).execute(
      // Most layers pass a context holding only `signal`: reuse it instead of merging.
      (next) => run(fn, next === context || sameKeys(next, context) ? next : { ...context, ...next }, index + 1),
      context.signal,
    );
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

/** True when `next` carries no key that `previous` lacks (so `next` alone holds the merged view). */
function sameKeys(next: object, previous: object): boolean {
  for (const key in previous) if (!(key in next)) return false;
  return true;
}
