export { redisTier, type RedisTier, type RedisTierOptions } from './redis-tier.ts';
export { redisInvalidationBus, type RedisInvalidationBus, type RedisInvalidationBusOptions } from './invalidation-bus.ts';
export { redisLoaderLock, type RedisLoaderLock, type RedisLoaderLockOptions } from './loader-lock.ts';
export type { RedisConnectionOptions } from './options.ts';
export type { RedisClient } from './client.ts';
export type { L2BreakerState } from './breaker.ts';
export type { RedisErrorEvent, BreakerOpenEvent, BreakerCloseEvent, ResubscribeEvent } from './events.ts';
export { escapeGlob } from './keys.ts';
export {
  L2UnavailableError,
  isL2UnavailableError,
  type L2UnavailableDetails,
  type L2UnavailableReason,
} from './errors/l2-unavailable-error.ts';
