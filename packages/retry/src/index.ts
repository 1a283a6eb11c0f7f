export { retry, RetryPolicy, type RetryContext, type AttemptOutcome } from './retry.ts';
export type { RetryOptions } from './options.ts';
export { retryPresets } from './presets.ts';
export type { RetryEvent, GiveUpEvent, GiveUpReason, DelaySource, Outcome } from './events.ts';
export type { Backoff, BackoffStrategy, BackoffFunction, BackoffFactory } from './backoff.ts';
export type { Jitter } from './jitter.ts';
// Lives in core so that retry's jitter and chaos injection share one generator.
export { seededRandom } from '@breakwater/core';
export { retryBudget, RetryBudget, type RetryBudgetOptions, type RetryBudgetStats, type RetryBudgetLike } from './budget.ts';
export { retryAfterMsOf } from './hint.ts';
export { parseRetryAfter, parseHttpDate } from './retry-after.ts';
export { parseRateLimitReset } from './rate-limit-header.ts';
export { isRetryableError, isRetryableResponse, isRetryableStatus, statusOf } from './classify.ts';
export { isIdempotentRequest, type RequestLike } from './idempotent.ts';
export type { HeadersLike } from './headers.ts';
