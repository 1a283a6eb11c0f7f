export { rateLimit, RateLimiter } from './rate-limiter.ts';
export type { RateLimiterOptions } from './rate-limiter-options.ts';
export type { LimitOptions } from './limits.ts';
export { memoryStore, MemoryStore, type MemoryStoreOptions } from './memory-store.ts';
export type { RateLimitStore, LimiterSpec, StoreReply } from './store.ts';
export type { AlgorithmName } from './algorithms/algorithm.ts';
export type { LimitDescription, LimitState, RateLimitDecision, RateLimiterLike } from './types.ts';
export type {
  OutageMode,
  RateLimitDecisionEvent,
  RateLimitStoreErrorEvent,
  RateLimitDegradedEvent,
  RateLimitRecoveredEvent,
} from './events.ts';
export { RateLimitedError, isRateLimitedError, type RateLimitedDetails } from './errors/rate-limited-error.ts';
export { RateLimitUnavailableError, isRateLimitUnavailableError } from './errors/rate-limit-unavailable-error.ts';
export { clientAddressKey, DEFAULT_IPV6_PREFIX, combinedHeaderValue, formatRateLimit, formatRateLimitPolicy, rateLimitHeaders, retryAfterSeconds, RATE_LIMIT_HEADER, RATE_LIMIT_POLICY_HEADER, limitedAnswer, unavailableAnswer, resolveHttpRateLimit, HTTP_RATE_LIMIT_OPTIONS, decideHttpRateLimit, warnPermissiveTrustProxy, TRUST_PROXY_WARNING, type RateLimitHeadersMode, type HttpAnswer, type HttpRateLimitOptions, type ResolvedHttpRateLimit, type HttpRateLimitOutcome } from './http/index.ts';
export { RateLimitStoreTimeoutError, isRateLimitStoreTimeoutError } from './errors/rate-limit-store-timeout-error.ts';
