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
export type PolicyKind = 'retry' | 'circuit-breaker' | 'bulkhead' | 'timeout' | 'fallback';
