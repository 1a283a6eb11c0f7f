export { deadline, type DeadlineOptions, type DeadlineStatus } from './deadline.ts';
export { loadShedding, type LoadSheddingOptions, type SheddingStatus } from './load-shedding.ts';
export { requestSignal, clientClosedReason } from './request-signal.ts';
export type { BulkheadLike, BulkheadInput } from '@breakwater/bulkhead';
export { PROBLEM_CONTENT_TYPE, type ProblemDetails } from '@breakwater/core';
