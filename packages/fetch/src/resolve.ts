import {
  assertBoolean,
  assertDuration,
  assertFunction,
  assertKnownOptions,
  assertMethods,
  assertString,
  describeValue,
  invalidOption,
  systemClock,
  withDefaults,
  withoutUndefined,
  type Clock,
} from '@breakwater/core';
import { toBulkhead, type BulkheadLike } from '@breakwater/bulkhead';
import type { BreakerRegistry, CircuitBreakerPolicy } from '@breakwater/circuit-breaker';
import { retryBudget, type RetryBudgetLike, type RetryPolicy } from '@breakwater/retry';
import type { LatencyWindow } from './latency.ts';
import type { CreateFetchOptions, FetchLike, FetchOverrides } from './options.ts';
import { buildBreakers, originOf } from './plan-breakers.ts';
import { buildHedging, type HedgingPlan, type LatencyWindows } from './plan-hedging.ts';
import { buildIdempotency, defaultKey, type IdempotencyPlan } from './plan-idempotency.ts';
import { buildRetry, DEFAULT_RETRY_STATUSES, retryObject, type RetryPlan } from './plan-retry.ts';
import { FetchTimeout, type TimeoutCache } from './fetch-timeout.ts';

const CLIENT_KNOWN = [
  'fetch',
  'name',
  'timeout',
  'attemptTimeout',
  'retry',
  'breaker',
  'bulkhead',
  'hedging',
  'idempotencyKey',
  'throwOnRetryableStatus',
  'clock',
] as const;
const OVERRIDE_KNOWN = ['timeout', 'attemptTimeout', 'retry', 'breaker', 'bulkhead', 'hedging', 'idempotencyKey', 'throwOnRetryableStatus'] as const;

/** Everything one call needs, resolved once per client (and per request only when it overrides). */
export interface Plan {
  readonly name: string;
  readonly clock: Clock;
  readonly fetch: FetchLike;
  readonly deadline: FetchTimeout | undefined;
  readonly attemptTimeout: FetchTimeout | undefined;
  readonly retry: RetryPlan | undefined;
  readonly breakers: BreakerRegistry | undefined;
  readonly breakerKey: (url: URL) => string;
  /** The statuses the client's own breakers count as failures; undefined when `breaker.create` builds them. */
  readonly breakerStatuses: ReadonlySet<number> | undefined;
  readonly bulkhead: BulkheadLike | undefined;
  readonly hedging: HedgingPlan | undefined;
  /** Where successful attempts' latencies go (the client's percentile window), hedged or not. */
  readonly latency: LatencyWindow | undefined;
  /** Set when keys are generated for POST/PATCH; the header name is known either way. */
  readonly idempotency: IdempotencyPlan | undefined;
  readonly keyHeader: string;
  readonly throwOnRetryableStatus: boolean;
}

/** Hooks the client wires into every policy it builds (listeners on retry and breakers). */
export interface PlanHooks {
  retryCreated(policy: RetryPolicy): void;
  breakerCreated(key: string, breaker: CircuitBreakerPolicy): void;
}

function globalFetch(): FetchLike {
  const found: unknown = globalThis.fetch;
  if (typeof found !== 'function') throw invalidOption('Expected a global `fetch` to wrap (Node ≥ 18), or the `fetch` option, got none');
  return found.bind(globalThis) as FetchLike;
}

/** The client's plan: every option checked here, at construction. */
export function resolveClient(options: CreateFetchOptions | undefined, hooks: PlanHooks, windows: LatencyWindows): { plan: Plan; budget: RetryBudgetLike | undefined } {
  const config = withDefaults('createFetch()', {}, options) as CreateFetchOptions;
  assertKnownOptions('createFetch()', config, CLIENT_KNOWN);
  const clock = config.clock ?? systemClock;
  assertMethods('clock', clock, ['now', 'epochNow', 'setTimeout', 'clearTimeout']);
  const name = config.name ?? 'fetch';
  assertString('name', name, { min: 1 });
  if (config.fetch !== undefined) assertFunction('fetch', config.fetch);

  const total = optionalDuration('timeout', config.timeout, 30_000);
  const perAttempt = optionalDuration('attemptTimeout', config.attemptTimeout, 10_000);
  checkTimeouts(total, perAttempt);

  let budget: RetryBudgetLike | undefined;
  let retryPlan: RetryPlan | undefined;
  const retryOption = config.retry ?? {};
  if (retryOption !== false) {
    const retryOptions = retryObject('retry', retryOption);
    if (retryOptions.budget === undefined) budget = retryBudget({ clock });
    else if (retryOptions.budget !== false) budget = retryOptions.budget;
    retryPlan = buildRetry(retryOptions, budget, name, clock, hooks);
  }

  const breakerOption = config.breaker ?? {};
  let breakers: BreakerRegistry | undefined;
  let breakerKey: (url: URL) => string = originOf;
  let breakerStatuses: ReadonlySet<number> | undefined;
  if (breakerOption !== false) {
    if (breakerOption === null || typeof breakerOption !== 'object') {
      throw invalidOption(`Expected \`breaker\` to be an object of breaker options or false, got ${describeValue(breakerOption)}`);
    }
    ({ breakers, breakerKey, breakerStatuses } = buildBreakers(breakerOption, retryPlan?.statuses ?? new Set(DEFAULT_RETRY_STATUSES), name, clock, hooks));
  }

  const bulkheadOption = config.bulkhead ?? false;
  const bulkhead = bulkheadOption === false ? undefined : toBulkhead(bulkheadOption, 'bulkhead');

  const hedgingOption = config.hedging ?? false;
  if (typeof hedgingOption !== 'boolean' && (hedgingOption === null || typeof hedgingOption !== 'object')) {
    throw invalidOption(`Expected \`hedging\` to be hedging options or a boolean, got ${describeValue(hedgingOption)}`);
  }
  const hedging = hedgingOption === false ? undefined : buildHedging(hedgingOption === true ? {} : hedgingOption, windows);

  const keyOption = config.idempotencyKey ?? false;
  const idempotency = buildIdempotency(keyOption);
  const throwOnRetryableStatus = config.throwOnRetryableStatus ?? false;
  assertBoolean('throwOnRetryableStatus', throwOnRetryableStatus);

  const plan: Plan = {
    name,
    clock,
    // Captured now, not looked up per call: `globalThis.fetch = createFetch()` must not call itself.
    fetch: config.fetch ?? globalFetch(),
    deadline: total === undefined ? undefined : new FetchTimeout(total, `${name}:timeout`, clock),
    attemptTimeout: perAttempt === undefined ? undefined : new FetchTimeout(perAttempt, `${name}:attempt-timeout`, clock),
    retry: retryPlan,
    breakers,
    breakerKey,
    breakerStatuses,
    bulkhead,
    hedging,
    latency: hedging?.latency,
    idempotency: idempotency.generating ? idempotency : undefined,
    keyHeader: idempotency.header,
    throwOnRetryableStatus,
  };
  return { plan, budget };
}

/** A request's plan: the client's, with what `init.breakwater` replaces. Checked per request. */
export function resolveOverrides(
  base: Plan,
  overrides: FetchOverrides,
  context: { budget: RetryBudgetLike | undefined; timeouts: TimeoutCache; hooks: PlanHooks; windows: LatencyWindows },
): Plan {
  if (overrides === null || typeof overrides !== 'object') {
    throw invalidOption(`Expected \`init.breakwater\` to be an object of overrides, got ${describeValue(overrides)}`);
  }
  assertKnownOptions('init.breakwater', overrides, OVERRIDE_KNOWN);
  const plan: { -readonly [K in keyof Plan]: Plan[K] } = { ...base };
  const { timeout: total, attemptTimeout: perAttempt } = overrides;
  if (total !== undefined) plan.deadline = total === false ? undefined : (assertDuration('timeout', total, { min: 1 }), context.timeouts.get(total, 'timeout'));
  if (perAttempt !== undefined) {
    plan.attemptTimeout = perAttempt === false ? undefined : (assertDuration('attemptTimeout', perAttempt, { min: 1 }), context.timeouts.get(perAttempt, 'attempt-timeout'));
  }
  if (plan.deadline !== undefined && plan.attemptTimeout !== undefined) checkTimeouts(plan.deadline.duration, plan.attemptTimeout.duration);
  if (overrides.retry !== undefined) {
    if (overrides.retry === false) plan.retry = undefined;
    else {
      const given = retryObject('init.breakwater.retry', overrides.retry);
      const merged = { ...base.retry?.options, ...withoutUndefined(given) };
      const budget = given.budget === undefined ? context.budget : given.budget === false ? undefined : given.budget;
      plan.retry = buildRetry(merged, budget, base.name, base.clock, context.hooks);
    }
  }
  if (overrides.breaker !== undefined) {
    if (overrides.breaker !== false) throw invalidOption(`Expected \`init.breakwater.breaker\` to be false, got ${describeValue(overrides.breaker)}`);
    plan.breakers = undefined;
  }
  if (overrides.bulkhead !== undefined) {
    if (overrides.bulkhead !== false) throw invalidOption(`Expected \`init.breakwater.bulkhead\` to be false, got ${describeValue(overrides.bulkhead)}`);
    plan.bulkhead = undefined;
  }
  const hedging = overrides.hedging;
  if (hedging !== undefined) {
    if (hedging === false) plan.hedging = undefined;
    else if (hedging === true) plan.hedging = base.hedging ?? buildHedging({}, context.windows);
    else if (hedging !== null && typeof hedging === 'object') {
      const merged = { ...base.hedging?.options, ...withoutUndefined(hedging) };
      plan.hedging = buildHedging(merged, context.windows);
      plan.latency = plan.hedging.latency;
    } else throw invalidOption(`Expected \`init.breakwater.hedging\` to be hedging options or a boolean, got ${describeValue(hedging)}`);
  }
  const key = overrides.idempotencyKey;
  if (key !== undefined) {
    if (key === false) plan.idempotency = undefined;
    else if (key === true) plan.idempotency = base.idempotency ?? { header: base.keyHeader, generate: defaultKey };
    else {
      assertString('init.breakwater.idempotencyKey', key, { min: 1, max: 255 });
      plan.idempotency = { header: base.keyHeader, generate: () => key };
    }
  }
  if (overrides.throwOnRetryableStatus !== undefined) {
    assertBoolean('init.breakwater.throwOnRetryableStatus', overrides.throwOnRetryableStatus);
    plan.throwOnRetryableStatus = overrides.throwOnRetryableStatus;
  }
  return plan;
}

function optionalDuration(name: string, value: unknown, fallback: number): number | undefined {
  if (value === false) return undefined;
  const duration = value ?? fallback;
  assertDuration(name, duration, { min: 1 });
  return duration;
}

function checkTimeouts(total: number | undefined, perAttempt: number | undefined): void {
  if (total !== undefined && perAttempt !== undefined && perAttempt > total) {
    throw invalidOption(`Expected \`attemptTimeout\` to be at most \`timeout\` (${total}), got \`${perAttempt}\` (number)`, 'range');
  }
}
