// The HTTP face of rate limiting, shared by @breakwater/express and @breakwater/fastify: what a
// request is keyed by, what a response says, and the one decision flow both adapters run.
export { clientAddressKey, DEFAULT_IPV6_PREFIX } from './client-address.ts';
export {
  combinedHeaderValue,
  formatRateLimit,
  formatRateLimitPolicy,
  rateLimitHeaders,
  retryAfterSeconds,
  RATE_LIMIT_HEADER,
  RATE_LIMIT_POLICY_HEADER,
  type RateLimitHeadersMode,
} from './headers.ts';
export { limitedAnswer, unavailableAnswer, type HttpAnswer } from './answers.ts';
export { resolveHttpRateLimit, HTTP_RATE_LIMIT_OPTIONS, type HttpRateLimitOptions, type ResolvedHttpRateLimit } from './options.ts';
export { decideHttpRateLimit, type HttpRateLimitOutcome } from './decide.ts';
export { warnPermissiveTrustProxy, TRUST_PROXY_WARNING } from './trust-proxy.ts';
