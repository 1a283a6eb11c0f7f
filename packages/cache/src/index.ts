export { createCache, Cache } from './cache.ts';
export type { Loader, LoaderContext, GetOrLoadOptions, SetOptions } from './call-options.ts';
export type { CacheOptions, L1Options, FreshnessOptions, Ttl } from './cache-options.ts';
export type { WriteThroughOptions, WriteBehindOptions } from './write-options.ts';
export { jsonSerializer } from './serializer.ts';
export type {
  CacheGetEvent,
  CacheLoadEvent,
  CacheL2ErrorEvent,
  L2Operation,
  WriteBehindEntry,
  WriteFailedEvent,
  WriteRetriedEvent,
  FlushEvent,
} from './events.ts';
export type { CacheEntry, RemoteTier, InvalidationMessage, InvalidationBus, LockLease, LoaderLock, Serializer } from './types.ts';
export { CacheClosedError, isCacheClosedError } from './errors/cache-closed-error.ts';
export { WriteBehindFullError, isWriteBehindFullError, type WriteBehindFullDetails } from './errors/write-behind-full-error.ts';
// Loader timeouts reject with core's TimeoutError (re-exported for convenience).
export { TimeoutError, isTimeoutError } from '@breakwater/core';
export {
  HttpResponseCache,
  parseCacheControl,
  deltaSeconds,
  MAX_DELTA_SECONDS,
  freshnessLifetimeMs,
  ageSeconds,
  storableHeaders,
  headerText,
  varyNames,
  variantKey,
  decideStorage,
  CACHEABLE_STATUSES,
  planRequest,
  isCachedResponse,
  isVaryIndex,
  toCacheHit,
  resolveResponseCache,
  assertDefaultTtl,
  type CacheControl,
  type HeaderValue,
  type HeaderMap,
  type NotStoredReason,
  type StorageDecision,
  type ResponseFacts,
  type StoragePolicy,
  type RequestPlan,
  type BypassReason,
  type CredentialSharing,
  type CachedResponse,
  type VaryIndex,
  type ResponseCacheEntry,
  type CacheHit,
  type ResponseCacheOptions,
  type ResponseCacheStore,
  type ResolvedResponseCache,
  type CapturedResponse,
  type StoreInput,
  type MissTurn,
  type LookupOutcome,
  type StoreResult,
} from './http/index.ts';
