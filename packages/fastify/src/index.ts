export { breakwaterDeadline } from './deadline-plugin.ts';
export { breakwaterLoadShedding, type LoadSheddingOptions } from './load-shedding-plugin.ts';
export type { BreakwaterRouteConfig } from './route-config.ts';
export { clientClosedReason } from './request-signal.ts';
export type { BulkheadLike, BulkheadInput } from '@breakwater/bulkhead';
export { PROBLEM_CONTENT_TYPE, type ProblemDetails } from '@breakwater/core';
export type { DeadlineOptions, DeadlineStatus } from '@breakwater/core';
export type { SheddingStatus } from '@breakwater/bulkhead';
