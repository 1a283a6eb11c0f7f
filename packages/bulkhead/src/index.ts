export { bulkhead, BulkheadPolicy, type BulkheadMode } from './bulkhead.ts';
export { resolveLoadShedding, type LoadSheddingOptions, type ResolvedLoadShedding, type SheddingStatus } from './load-shedding-options.ts';
export { toBulkhead, type BulkheadLike, type BulkheadInput } from './to-bulkhead.ts';
export type { BulkheadOptions, FixedBulkheadOptions, AdaptiveBulkheadOptions } from './bulkhead-options.ts';
export {
  isOverloadError,
  type AdaptiveOptions,
  type AdaptiveAlgorithm,
  type AimdAdaptiveOptions,
  type GradientAdaptiveOptions,
} from './adaptive.ts';
export type { BulkheadRejectedEvent, BulkheadQueuedEvent, LimitChangeEvent } from './events.ts';
export { AimdLimit, type AimdLimitOptions } from './limits/aimd.ts';
export { GradientLimit, type GradientLimitOptions } from './limits/gradient.ts';
export type { LimitAlgorithm, LimitBoundsOptions } from './limits/limit.ts';
export { BulkheadFullError, isBulkheadFullError, type BulkheadFullDetails } from './errors/bulkhead-full-error.ts';
// cockatiel's guard, which BulkheadFullError satisfies: what load-shedding adapters check.
export { BulkheadRejectedError, isBulkheadRejectedError } from '@breakwater/core';
