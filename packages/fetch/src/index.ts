export { createFetch, type ResilientFetch } from './create-fetch.ts';
export type {
  BreakwaterRequestInit,
  CreateFetchOptions,
  FetchBreakerOptions,
  FetchLike,
  FetchOverrides,
  FetchRetryOptions,
  HedgingOptions,
  HedgingPercentileDelay,
  IdempotencyKeyOptions,
} from './options.ts';
export type { FetchAttempt } from './attempt.ts';
export type { FetchAttemptEvent, FetchBreakerEvent, FetchGiveUpEvent, FetchHedgeEvent, FetchRetryEvent } from './events.ts';
export { FetchAttemptsError, isFetchAttemptsError, type FetchGiveUpReason } from './errors/fetch-attempts-error.ts';
export { isRetryableFetchError, RETRYABLE_ERROR_CODES } from './classify.ts';
export { isReplayableBody } from './request.ts';
export { DEFAULT_RETRY_METHODS, DEFAULT_RETRY_STATUSES } from './plan-retry.ts';
export { HedgeLostError, isHedgeLostError } from './errors/hedge-lost-error.ts';
