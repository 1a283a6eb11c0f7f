// The HTTP face of the cache, shared by @breakwater/express and @breakwater/fastify: everything
// here is framework-free, so both adapters answer the same way.
export { parseCacheControl, deltaSeconds, MAX_DELTA_SECONDS, type CacheControl } from './cache-control.ts';
export { freshnessLifetimeMs, ageSeconds } from './freshness.ts';
export { storableHeaders, headerText, type HeaderValue, type HeaderMap } from './headers.ts';
export { varyNames, variantKey } from './vary.ts';
export { decideStorage, CACHEABLE_STATUSES, type NotStoredReason, type StorageDecision, type ResponseFacts, type StoragePolicy } from './storability.ts';
export { planRequest, type RequestPlan, type BypassReason, type CredentialSharing } from './request-plan.ts';
export { isCachedResponse, isVaryIndex, toCacheHit, type CachedResponse, type VaryIndex, type ResponseCacheEntry, type CacheHit } from './stored-response.ts';
export { resolveResponseCache, assertDefaultTtl, type ResponseCacheOptions, type ResponseCacheStore, type ResolvedResponseCache } from './options.ts';
export { HttpResponseCache, type CapturedResponse, type StoreInput, type StoreResult, type MissTurn, type LookupOutcome } from './response-cache.ts';
