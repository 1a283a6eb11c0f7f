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
