import { Redis } from 'ioredis';
import { memoryStore as memoryIdempotencyStore, type IdempotencyStore } from '@breakwater/idempotency';
import { redisStore as redisIdempotencyStore } from '@breakwater/idempotency/redis';
import type { RateLimitStore } from '@breakwater/rate-limit';
import { redisStore as redisRateLimitStore } from '@breakwater/rate-limit/redis';

/** Where shared state lives: this process (the default) or Redis, so several instances agree. */
export interface Stores {
  readonly kind: 'memory' | 'redis';
  /** `undefined`: the limiter's own bounded memory store. */
  readonly rateLimit: RateLimitStore | undefined;
  readonly idempotency: IdempotencyStore;
  readonly redis: Redis | undefined;
  close(): Promise<void>;
}

export function createStores(redisUrl: string | undefined): Stores {
  if (redisUrl === undefined) {
    return { kind: 'memory', rateLimit: undefined, idempotency: memoryIdempotencyStore(), redis: undefined, close: async () => {} };
  }
  // Commands sent before the connection is up wait for it; during an outage the stores bound every
  // command with their own timeout (the limiter then falls back to memory, idempotency answers
  // 503), and ioredis drops what it queued after one reconnection attempt.
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {}); // reported through the stores' events and the health check
  return {
    kind: 'redis',
    rateLimit: redisRateLimitStore(redis),
    idempotency: redisIdempotencyStore(redis),
    redis,
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
