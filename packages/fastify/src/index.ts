export { breakwaterDeadline, type DeadlineOptions, type DeadlineStatus } from './deadline-plugin.ts';
export { breakwaterLoadShedding, type LoadSheddingOptions, type SheddingStatus } from './load-shedding-plugin.ts';
export type { BreakwaterRouteConfig } from './route-config.ts';
export { clientClosedReason } from './request-signal.ts';
export type { BulkheadLike, BulkheadInput } from '@breakwater/bulkhead';
export { PROBLEM_CONTENT_TYPE, type ProblemDetails } from '@breakwater/core';
