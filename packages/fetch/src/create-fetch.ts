import type { BreakerRegistry } from '@breakwater/circuit-breaker';
import type { Event } from '@breakwater/core';
import type { RetryBudgetLike, RetryPolicy } from '@breakwater/retry';
import { Call } from './call.ts';
import { ClientEvents } from './client-events.ts';
import type { FetchAttemptEvent, FetchBreakerEvent, FetchGiveUpEvent, FetchHedgeEvent, FetchRetryEvent } from './events.ts';
import type { BreakwaterRequestInit, CreateFetchOptions } from './options.ts';
import { prepare } from './request.ts';
import { LatencyWindows } from './plan-hedging.ts';
import { resolveClient, resolveOverrides, type Plan } from './resolve.ts';
import { TimeoutCache } from './fetch-timeout.ts';

/** What `createFetch()` returns: `fetch` itself, plus the client's policies and events. */
export interface ResilientFetch {
  (input: string | URL | Request, init?: BreakwaterRequestInit): Promise<Response>;
  /** The client's `name` option (events, breaker names, metrics labels). */
  readonly clientName: string;
  /** The retry policy of requests without a retry override: `metrics.bind(client.retry)`. */
  readonly retry: RetryPolicy | undefined;
  /** The retry budget every call of this client spends from. */
  readonly budget: RetryBudgetLike | undefined;
  /** The per-origin breakers: `client.breakers.get(origin)`, `entries()` for health checks. */
  readonly breakers: BreakerRegistry | undefined;
  /** Fires when an attempt ends, with its status or error and duration. */
  readonly onAttempt: Event<FetchAttemptEvent>;
  /** Fires before each retry's delay (after the failed response's body was released). */
  readonly onRetry: Event<FetchRetryEvent>;
  /** Fires when a hedged attempt is sent. */
  readonly onHedge: Event<FetchHedgeEvent>;
  /** Fires once per call whose retries ended without a good response. */
  readonly onGiveUp: Event<FetchGiveUpEvent>;
  /** Fires when a breaker is created for a new key, e.g. `({ breaker }) => metrics.bind(breaker)`. */
  readonly onBreaker: Event<FetchBreakerEvent>;
}

/**
 * A drop-in `fetch` with the Microsoft standard resilience stack: total deadline → retry →
 * per-origin circuit breaker → attempt timeout → optional bulkhead, plus optional hedging and
 * safe POST retries with `Idempotency-Key`. Every part is configurable or removable (`false`)
 * per client, and per request through `init.breakwater`.
 *
 * @example
 * const fetch = createFetch({ retry: { maxRetries: 2 }, idempotencyKey: true });
 * const res = await fetch('https://api.example.com/orders', { method: 'POST', body: JSON.stringify(order) });
 */
export function createFetch(options?: CreateFetchOptions): ResilientFetch {
  let events: ClientEvents | undefined;
  const pendingRetries: RetryPolicy[] = [];
  const hooks = {
    retryCreated(policy: RetryPolicy) {
      if (events === undefined) pendingRetries.push(policy);
      else events.watchRetry(policy);
    },
    breakerCreated(key: string, breaker: Parameters<ClientEvents['breakerCreated']>[1]) {
      events?.breakerCreated(key, breaker);
    },
  };
  const windows = new LatencyWindows();
  const { plan, budget } = resolveClient(options, hooks, windows);
  events = new ClientEvents(plan.name);
  for (const policy of pendingRetries) events.watchRetry(policy);
  const clientEvents = events;

  const timeouts = new TimeoutCache(plan.name, plan.clock);
  const overrideContext = { budget, timeouts, hooks, windows };

  const resilientFetch = (input: string | URL | Request, init?: BreakwaterRequestInit): Promise<Response> => {
    let callPlan: Plan = plan;
    const overrides = init?.breakwater;
    try {
      if (overrides !== undefined) callPlan = resolveOverrides(plan, overrides, overrideContext);
      const request = prepare(input, init, callPlan);
      if (request === undefined) return callPlan.fetch(input, withoutOverrides(init));
      return new Call(callPlan, request, clientEvents).run();
    } catch (error) {
      // fetch never throws synchronously; neither does this.
      return Promise.reject(error);
    }
  };

  return Object.defineProperties(resilientFetch, {
    clientName: { value: plan.name, enumerable: true },
    retry: { value: plan.retry?.policy, enumerable: true },
    budget: { value: budget, enumerable: true },
    breakers: { value: plan.breakers, enumerable: true },
    onAttempt: { value: clientEvents.onAttempt.event, enumerable: true },
    onRetry: { value: clientEvents.onRetry.event, enumerable: true },
    onHedge: { value: clientEvents.onHedge.event, enumerable: true },
    onGiveUp: { value: clientEvents.onGiveUp.event, enumerable: true },
    onBreaker: { value: clientEvents.onBreaker.event, enumerable: true },
  }) as ResilientFetch;
}

function withoutOverrides(init: BreakwaterRequestInit | undefined): RequestInit | undefined {
  if (init === undefined || !('breakwater' in init)) return init;
  const { breakwater: _overrides, ...rest } = init;
  return rest;
}
