export { deadline } from './deadline.ts';
export { loadShedding, type LoadSheddingOptions } from './load-shedding.ts';
export { requestSignal, clientClosedReason } from './request-signal.ts';
export { httpMetrics, metricsEndpoint, CLIENT_CLOSED_STATUS, type HttpMetricsOptions } from './http-metrics.ts';
export type { BulkheadLike, BulkheadInput } from '@breakwater/bulkhead';
export { PROBLEM_CONTENT_TYPE, type ProblemDetails } from '@breakwater/core';
export type { DeadlineOptions, DeadlineStatus } from '@breakwater/core';
export type { SheddingStatus } from '@breakwater/bulkhead';
export type { HttpRequestSample, MetricsRegistry } from '@breakwater/core';
