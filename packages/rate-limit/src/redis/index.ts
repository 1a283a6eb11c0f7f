export { redisStore, RedisStore } from './redis-store.ts';
export type { RedisStoreOptions } from './redis-store-options.ts';
export { encodeKeyPart, limitsHash, redisKey, type RedisKeyLimiter } from './keys.ts';
export { DECIDE_SCRIPT, DECIDE_SCRIPT_SHA, gcraScript } from './script.ts';
