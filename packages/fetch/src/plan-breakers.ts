import {
  assertFunction,
  assertInteger,
  assertKnownOptions,
  describeValue,
  invalidOption,
  type Clock,
} from '@breakwater/core';
import { breakerRegistry, circuitBreaker, timeWindow, type BreakerRegistry } from '@breakwater/circuit-breaker';
import { isRetryableFetchError } from './classify.ts';
import { isResponse } from './discard.ts';
import type { FetchBreakerOptions } from './options.ts';
import type { PlanHooks } from './resolve.ts';

const BREAKER_KNOWN = ['key', 'max', 'strategy', 'breakDuration', 'breakDurationBackoff', 'halfOpenProbes', 'statuses', 'create'] as const;

export function buildBreakers(
  options: FetchBreakerOptions,
  retryStatuses: ReadonlySet<number>,
  name: string,
  clock: Clock,
  hooks: PlanHooks,
): { breakers: BreakerRegistry; breakerKey: (url: URL) => string; breakerStatuses: ReadonlySet<number> | undefined } {
  assertKnownOptions('breaker', options, BREAKER_KNOWN);
  const key = options.key ?? originOf;
  assertFunction('breaker.key', key);
  let create = options.create;
  let statuses: ReadonlySet<number> | undefined;
  if (create !== undefined) assertFunction('breaker.create', create);
  else {
    const counted = (statuses = options.statuses === undefined ? retryStatuses : new Set(options.statuses));
    if (options.statuses !== undefined) {
      if (!Array.isArray(options.statuses)) throw invalidOption(`Expected \`breaker.statuses\` to be an array of status codes, got ${describeValue(options.statuses)}`);
      for (const status of options.statuses) assertInteger('breaker.statuses[]', status, { min: 100, max: 599 });
    }
    const shared = {
      strategy: options.strategy ?? timeWindow({ duration: 30_000, failureRatio: 0.1, minimumCalls: 100 }),
      breakDuration: options.breakDuration ?? 5_000,
      breakDurationBackoff: options.breakDurationBackoff,
      halfOpenProbes: options.halfOpenProbes,
      // Transport failures and timeouts count; a caller's abort, a lost hedge (both the signal's
      // own reason), a bulkhead rejection or an invalid URL say nothing about the origin.
      handle: isRetryableFetchError,
      handleResult: (value: unknown) => isResponse(value) && counted.has(value.status),
      clock,
    };
    // Built once here so a bad option throws at construction, not at the first request.
    circuitBreaker({ ...shared, name });
    create = (breakerKeyValue: string) => circuitBreaker({ ...shared, name: `${name}:${breakerKeyValue}` });
  }
  const make = create;
  const breakers = breakerRegistry({
    create: (k) => {
      const breaker = make(k);
      hooks.breakerCreated(k, breaker);
      return breaker;
    },
    max: options.max,
  });
  return { breakers, breakerKey: key, breakerStatuses: statuses };
}

export function originOf(url: URL): string {
  return url.origin;
}
