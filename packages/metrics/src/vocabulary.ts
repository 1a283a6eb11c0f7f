/**
 * Every metric this package registers: one `breakwater_*` vocabulary (the prefix is an option),
 * units in the names, histograms for durations, label values from closed sets only.
 */
export const METRIC_DEFINITIONS = {
  retryAttempts: {
    name: 'retry_attempts_total',
    type: 'counter',
    help: 'Attempts of retry policies by outcome: success, retry (another attempt follows), or the give-up reason.',
    labelNames: ['policy', 'outcome'],
  },
  retryGiveUps: {
    name: 'retry_giveups_total',
    type: 'counter',
    help: 'Calls a retry policy gave up on, by reason.',
    labelNames: ['policy', 'reason'],
  },
  circuitState: {
    name: 'circuit_state',
    type: 'gauge',
    help: 'Circuit breaker state: 1 for the current state, 0 for the others.',
    labelNames: ['policy', 'state'],
  },
  circuitTransitions: {
    name: 'circuit_transitions_total',
    type: 'counter',
    help: 'Circuit breaker state transitions.',
    labelNames: ['policy', 'from', 'to'],
  },
  circuitRejections: {
    name: 'circuit_rejections_total',
    type: 'counter',
    help: 'Calls a circuit breaker rejected without running them, by the state it was in.',
    labelNames: ['policy', 'state'],
  },
  bulkheadExecuting: {
    name: 'bulkhead_executing',
    type: 'gauge',
    help: 'Calls running inside a bulkhead.',
    labelNames: ['policy'],
  },
  bulkheadQueueDepth: {
    name: 'bulkhead_queue_depth',
    type: 'gauge',
    help: 'Callers waiting in a bulkhead queue.',
    labelNames: ['policy'],
  },
  bulkheadLimit: {
    name: 'bulkhead_limit',
    type: 'gauge',
    help: 'Concurrency limit of a bulkhead (it moves in adaptive mode).',
    labelNames: ['policy'],
  },
  bulkheadRejections: {
    name: 'bulkhead_rejections_total',
    type: 'counter',
    help: 'Callers a bulkhead turned away because every slot and queue place was taken.',
    labelNames: ['policy'],
  },
  timeouts: {
    name: 'timeouts_total',
    type: 'counter',
    help: 'Deadlines a timeout policy let pass.',
    labelNames: ['policy'],
  },
  fallbacks: {
    name: 'fallbacks_total',
    type: 'counter',
    help: 'Failed calls a fallback policy replaced with its fallback value.',
    labelNames: ['policy'],
  },
  chaosInjections: {
    name: 'chaos_injections_total',
    type: 'counter',
    help: 'Calls a chaos policy injected into, by kind: fault, outcome, latency or behavior.',
    labelNames: ['policy', 'kind'],
  },
  rateLimitDecisions: {
    name: 'rate_limit_decisions_total',
    type: 'counter',
    help: 'Rate limit decisions by limiter, decision (allowed, denied) and source (store, fail-open, memory-fallback during a store outage).',
    labelNames: ['limiter', 'decision', 'source'],
  },
  rateLimitStoreErrors: {
    name: 'rate_limit_store_errors_total',
    type: 'counter',
    help: 'Failed or timed-out calls of a rate limiter to its store.',
    labelNames: ['limiter'],
  },
  rateLimitDegraded: {
    name: 'rate_limit_degraded',
    type: 'gauge',
    help: '1 while a rate limiter runs without its store (failing open, failing closed or on its memory fallback), else 0.',
    labelNames: ['limiter'],
  },
  cacheRequests: {
    name: 'cache_requests_total',
    type: 'counter',
    help: 'Cache lookups by cache, tier (l1, l2) and result (hit, stale, miss).',
    labelNames: ['cache', 'tier', 'result'],
  },
  cacheLoads: {
    name: 'cache_loads_total',
    type: 'counter',
    help: 'Loader calls of cache-aside reads (one per flight, not per waiter) by outcome: success, failure, or stale (failed, stale value served).',
    labelNames: ['cache', 'outcome'],
  },
  cacheLoadDuration: {
    name: 'cache_load_duration_seconds',
    type: 'histogram',
    help: 'Duration of loader calls of cache-aside reads, by outcome.',
    labelNames: ['cache', 'outcome'],
  },
  cacheL2Errors: {
    name: 'cache_l2_errors_total',
    type: 'counter',
    help: 'Rejected calls to the shared tier, the invalidation bus or the loader lock, by operation; each is served as a miss or a skipped write.',
    labelNames: ['cache', 'operation'],
  },
  cacheWriteBehindPending: {
    name: 'cache_write_behind_pending',
    type: 'gauge',
    help: 'Write-behind writes accepted and not yet persisted (read at scrape time).',
    labelNames: ['cache'],
  },
  cacheWriteBehindWrites: {
    name: 'cache_write_behind_writes_total',
    type: 'counter',
    help: 'Write-behind writes that reached the source of truth (persisted) or were given up after the last retry (given-up).',
    labelNames: ['cache', 'outcome'],
  },
  cacheWriteBehindFailures: {
    name: 'cache_write_behind_failures_total',
    type: 'counter',
    help: 'Failed tries of write-behind batches (each retry that fails counts again).',
    labelNames: ['cache'],
  },
  idempotencyRequests: {
    name: 'idempotency_requests_total',
    type: 'counter',
    help: 'Idempotent runs by outcome: executed, replayed, conflict, mismatch, invalid, unavailable, failed, released.',
    labelNames: ['idempotency', 'outcome'],
  },
  idempotencyLeasesLost: {
    name: 'idempotency_leases_lost_total',
    type: 'counter',
    help: 'Claims lost by their running holder before it finished, by reason (rejected, unreachable, closed, max-hold).',
    labelNames: ['idempotency', 'reason'],
  },
  idempotencyStoreErrors: {
    name: 'idempotency_store_errors_total',
    type: 'counter',
    help: 'Failed or timed-out idempotency store calls, by operation.',
    labelNames: ['idempotency', 'operation'],
  },
  healthCheckStatus: {
    name: 'health_check_status',
    type: 'gauge',
    help: 'Result of the last run of a health check: 1 pass, 0.5 warn, 0 fail.',
    labelNames: ['check'],
  },
  healthCheckDuration: {
    name: 'health_check_duration_seconds',
    type: 'histogram',
    help: 'Duration of health check runs (cached readings are not counted).',
    labelNames: ['check'],
  },
  callDuration: {
    name: 'policy_call_duration_seconds',
    type: 'histogram',
    help: 'Duration of calls run by a policy (of each attempt, for retry), from its onSuccess/onFailure events.',
    labelNames: ['policy', 'kind', 'outcome'],
  },
  httpDuration: {
    name: 'http_request_duration_seconds',
    type: 'histogram',
    help: 'Duration of HTTP requests served, by method, route template and status class (from the Express/Fastify httpMetrics adapters).',
    labelNames: ['method', 'route', 'status_class'],
  },
} as const satisfies Record<string, MetricDefinition>;

export interface MetricDefinition {
  /** The name without the prefix. */
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
  readonly labelNames: readonly string[];
}

export type MetricKey = keyof typeof METRIC_DEFINITIONS;

/** The `kind` label of `policy_call_duration_seconds`. */
export type PolicyKind = 'retry' | 'circuit-breaker' | 'bulkhead' | 'timeout' | 'fallback' | 'chaos' | 'rate-limit';
