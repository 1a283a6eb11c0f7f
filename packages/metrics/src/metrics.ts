import { describeValue, invalidOption, type Disposable } from '@breakwater/core';
import type { Registry } from 'prom-client';
import { bindBulkheadTo, type BulkheadLike } from './bind/bulkhead.ts';
import { bindCacheTo, type CacheLike } from './bind/cache.ts';
import { bindChaosTo, type ChaosLike } from './bind/chaos.ts';
import { bindHealthTo, type HealthLike } from './bind/health.ts';
import { bindIdempotencyTo, type IdempotencyLike } from './bind/idempotency.ts';
import { bindRateLimiterTo, type RateLimiterLike } from './bind/rate-limiter.ts';
import { bindCircuitBreakerTo, type CircuitBreakerLike } from './bind/circuit-breaker.ts';
import type { BindOptions } from './bind/common.ts';
import { bindFallbackTo, type FallbackLike } from './bind/fallback.ts';
import { bindRetryTo, type RetryLike } from './bind/retry.ts';
import { bindTimeoutTo, type TimeoutLike } from './bind/timeout.ts';
import type { HttpRequestObserver } from '@breakwater/core';
import { httpObserver } from './http-observer.ts';
import { resolveMetricsOptions, type MetricsOptions } from './options.ts';
import { RegistryFamilies } from './registry-families.ts';
import type { PolicyKind } from './vocabulary.ts';

/** Policies bound per registry: binding one twice would count every event twice. */
const boundPolicies = new WeakMap<Registry, WeakSet<object>>();

/** Any policy `bind()` accepts: one of the shapes below, or a `wrap()` of them (`wrapped`). */
export type BindablePolicy =
  | RetryLike
  | CircuitBreakerLike
  | BulkheadLike
  | TimeoutLike
  | FallbackLike
  | ChaosLike
  | RateLimiterLike
  | CacheLike
  | IdempotencyLike
  | HealthLike
  | { readonly wrapped: readonly unknown[] };

/** Binds policies to one `breakwater_*` set of metrics; see {@link createMetrics}. */
export class BreakwaterMetrics {
  readonly registry: Registry;
  readonly prefix: string;
  readonly maxPolicies: number;
  readonly #families: RegistryFamilies;

  constructor(options?: MetricsOptions) {
    const config = resolveMetricsOptions(options);
    this.registry = config.registry;
    this.prefix = config.prefix;
    this.maxPolicies = config.maxPolicies;
    this.#families = new RegistryFamilies(config);
  }

  /** `retry_attempts_total`, `retry_giveups_total` and call durations of a retry policy (Breakwater or cockatiel). */
  /**
   * A function to hand to `httpMetrics({ observe })` of `@breakwater/express` or
   * `@breakwater/fastify`: it records each request in `http_request_duration_seconds`.
   */
  httpObserver(): HttpRequestObserver {
    return httpObserver(this.#families);
  }

  bindRetry(policy: RetryLike, options?: BindOptions): Disposable {
    return this.#once(policy, () => bindRetryTo(this.#families, policy, options));
  }

  /** `circuit_state`, `circuit_transitions_total`, `circuit_rejections_total` and call durations of a breaker. */
  bindCircuitBreaker(policy: CircuitBreakerLike, options?: BindOptions): Disposable {
    return this.#once(policy, () => bindCircuitBreakerTo(this.#families, policy, options));
  }

  /** `bulkhead_executing`, `_queue_depth`, `_limit` (read at scrape time), `_rejections_total` and call durations. */
  bindBulkhead(policy: BulkheadLike, options?: BindOptions): Disposable {
    return this.#once(policy, () => bindBulkheadTo(this.#families, policy, options));
  }

  /** `timeouts_total` and call durations of a timeout policy. */
  bindTimeout(policy: TimeoutLike, options?: BindOptions): Disposable {
    return this.#once(policy, () => bindTimeoutTo(this.#families, policy, options));
  }

  /** `fallbacks_total` and call durations of a fallback policy. */
  bindFallback(policy: FallbackLike, options?: BindOptions): Disposable {
    return this.#once(policy, () => bindFallbackTo(this.#families, policy, options));
  }

  /** `chaos_injections_total` by kind and call durations of a @breakwater/chaos policy. */
  bindChaos(policy: ChaosLike, options?: BindOptions): Disposable {
    return this.#once(policy, () => bindChaosTo(this.#families, policy, options));
  }

  /**
   * `rate_limit_decisions_total` (by decision and source), `rate_limit_store_errors_total`,
   * `rate_limit_degraded` and call durations (of `execute()`) of a @breakwater/rate-limit limiter.
   */
  bindRateLimiter(limiter: RateLimiterLike, options?: BindOptions): Disposable {
    return this.#once(limiter, () => bindRateLimiterTo(this.#families, limiter, options));
  }

  /**
   * `cache_requests_total` (by tier and result), loader calls and durations, L2 errors, and the
   * write-behind queue (pending, persisted, given up, failed tries) of a @breakwater/cache cache.
   */
  bindCache(cache: CacheLike, options?: BindOptions): Disposable {
    return this.#once(cache, () => bindCacheTo(this.#families, cache, options));
  }

  /** `idempotency_requests_total` by outcome, lost leases and store errors of a @breakwater/idempotency object. */
  bindIdempotency(idempotency: IdempotencyLike, options?: BindOptions): Disposable {
    return this.#once(idempotency, () => bindIdempotencyTo(this.#families, idempotency, options));
  }

  /** `health_check_status{check}` (1 pass, 0.5 warn, 0 fail) and check durations of a @breakwater/health registry. */
  bindHealth(health: HealthLike): Disposable {
    return this.#once(health, () => bindHealthTo(this.#families, health, undefined));
  }

  /**
   * Binds a policy of any kind, told apart by its events (`onRetry`: retry, `onStateChange`:
   * circuit breaker, `onTimeout`: timeout, `onFallback`: fallback, `onInjected`: chaos,
   * `onDecision`: rate limiter, `onGet`: cache, `onOutcome`: idempotency, `onCheck`: health,
   * `onQueued`/`onReject(ed)` with slot getters: bulkhead), or every policy inside a `wrap()`.
   */
  bind(policy: BindablePolicy, options?: BindOptions): Disposable {
    const kind = kindOf(policy);
    switch (kind) {
      case 'retry':
        return this.bindRetry(policy as RetryLike, options);
      case 'circuit-breaker':
        return this.bindCircuitBreaker(policy as CircuitBreakerLike, options);
      case 'timeout':
        return this.bindTimeout(policy as TimeoutLike, options);
      case 'fallback':
        return this.bindFallback(policy as FallbackLike, options);
      case 'bulkhead':
        return this.bindBulkhead(policy as BulkheadLike, options);
      case 'chaos':
        return this.bindChaos(policy as ChaosLike, options);
      case 'rate-limit':
        return this.bindRateLimiter(policy as RateLimiterLike, options);
      case 'cache':
        return this.bindCache(policy as CacheLike, options);
      case 'idempotency':
        return this.bindIdempotency(policy as IdempotencyLike, options);
      case 'health':
        if (options?.name !== undefined) throw invalidOption('The `name` option of bind() does not apply to a health registry: its checks are labelled by their registered names');
        return this.bindHealth(policy as HealthLike);
      case 'wrapped':
        return this.#bindWrapped(policy as { readonly wrapped: readonly unknown[] }, options);
      default:
        throw invalidOption(
          `Expected the policy given to bind() to be a retry, circuit breaker, bulkhead, timeout, fallback, chaos or rate limit policy (Breakwater or cockatiel), a cache, an idempotency object, a health registry, or a wrap() of them, got ${describeValue(policy)}`,
        );
    }
  }

  /**
   * Runs a binder unless `policy` is already bound to this registry (by any metrics object on
   * it), and forgets the policy when its binding is disposed, so it can be bound again.
   */
  #once(policy: object, binder: () => Disposable): Disposable {
    let bound = boundPolicies.get(this.registry);
    if (bound === undefined) boundPolicies.set(this.registry, (bound = new WeakSet()));
    if (policy !== null && typeof policy === 'object' && bound.has(policy)) {
      throw invalidOption('This policy is already bound to this registry, and binding it again would count its events twice; dispose the first binding to rebind it');
    }
    const binding = binder();
    bound.add(policy);
    const registered = bound;
    let disposed = false;
    const dispose = (): void => {
      if (disposed) return;
      disposed = true;
      registered.delete(policy);
      binding.dispose();
    };
    return { dispose, [Symbol.dispose]: dispose };
  }

  /** Binds the inner policies of a `wrap()`; ones of no known kind (a noop) are skipped. */
  #bindWrapped(policy: { readonly wrapped: readonly unknown[] }, options: BindOptions | undefined): Disposable {
    if (options?.name !== undefined) {
      throw invalidOption('The `name` option of bind() applies to one policy; bind the policies of a wrap() one by one to name them');
    }
    const inner = policy.wrapped.filter((p) => kindOf(p) !== undefined);
    if (inner.length === 0) {
      throw invalidOption(`Expected the wrap() given to bind() to hold at least one policy of a known kind, got ${policy.wrapped.length} of none`);
    }
    const bindings: Disposable[] = [];
    try {
      for (const p of inner) bindings.push(this.bind(p as BindablePolicy));
    } catch (error) {
      for (const b of bindings) b.dispose();
      throw error;
    }
    const dispose = (): void => {
      for (const b of bindings) b.dispose();
    };
    return { dispose, [Symbol.dispose]: dispose };
  }
}

function kindOf(policy: unknown): PolicyKind | 'cache' | 'idempotency' | 'health' | 'wrapped' | undefined {
  if (policy === null || typeof policy !== 'object') return undefined;
  const p = policy as Record<string, unknown>;
  const has = (key: string) => typeof p[key] === 'function';
  if (has('onRetry')) return 'retry';
  if (has('onStateChange')) return 'circuit-breaker';
  if (has('onTimeout')) return 'timeout';
  if (has('onFallback')) return 'fallback';
  if (has('onInjected')) return 'chaos';
  if (has('onDecision')) return 'rate-limit';
  if (has('onGet')) return 'cache';
  if (has('onOutcome')) return 'idempotency';
  if (has('onCheck')) return 'health';
  const slots = 'executing' in p || 'executionSlots' in p;
  if (has('onQueued') || has('onLimitChange') || (slots && (has('onRejected') || has('onReject')))) return 'bulkhead';
  if (Array.isArray(p.wrapped)) return 'wrapped';
  return undefined;
}

/**
 * Prometheus metrics for Breakwater (and cockatiel) policies, through their events. Every
 * listener is isolated: a bug in it is rethrown on `process.nextTick` and never changes, or
 * re-runs, the call. Each `bind*()` returns a disposable that removes its listeners and stops
 * reporting the policy's gauges. Metrics are created on first use and shared with any other
 * `createMetrics()` on the same registry.
 *
 * @example
 * const metrics = createMetrics({ registry });
 * metrics.bind(retry({ name: 'payments' }));
 * app.get('/metrics', async (_req, res) => res.type(registry.contentType).send(await registry.metrics()));
 */
export function createMetrics(options?: MetricsOptions): BreakwaterMetrics {
  return new BreakwaterMetrics(options);
}
