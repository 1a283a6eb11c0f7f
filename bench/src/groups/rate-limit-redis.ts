// Rate-limit decisions in Redis: @breakwater/rate-limit's Redis store (a round trip per decision; a tick's GCRA decisions share one EVALSHA)
// against rate-limiter-flexible's RateLimiterRedis and a raw ioredis GET, all on one connection
// to one local redis-server, one at a time and 100 in flight (perf-anchors Group 2 and 4).
// Absolute numbers swing with vCPU placement (perf-anchors "bimodal"): read the paired ratios.
import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { rateLimit } from '@breakwater/rate-limit';
import { redisStore } from '@breakwater/rate-limit/redis';
import { startRedis, type RedisServer } from 'breakwater-test-utils';
import type { BenchGroup } from '../group.ts';

const IN_FLIGHT = 100;
let redis: RedisServer | undefined;
let client: Redis | undefined;
let storeErrors = 0;
let lastError: unknown;

function inFlight(call: () => Promise<unknown>): () => Promise<unknown> {
  const calls = new Array<Promise<unknown>>(IN_FLIGHT);
  return () => {
    for (let i = 0; i < IN_FLIGHT; i++) calls[i] = call();
    return Promise.all(calls);
  };
}

export const group: BenchGroup = {
  title: `Rate-limit decisions in Redis (sequential and ${IN_FLIGHT} in flight, one connection; x${IN_FLIGHT} cases time a batch)`,
  baseline: 'ioredis GET (sequential)',
  comparisons: [
    ['rate-limit check (sequential)', 'RateLimiterRedis.consume (sequential)'],
    [`rate-limit check x${IN_FLIGHT}`, `RateLimiterRedis.consume x${IN_FLIGHT}`],
    ['rate-limit check (sequential)', 'ioredis GET (sequential)'],
    [`rate-limit check x${IN_FLIGHT}`, `ioredis GET x${IN_FLIGHT}`],
  ],
  async setup() {
    redis = await startRedis();
    client = await redis.client({ enableOfflineQueue: true, maxRetriesPerRequest: 1 });
    const c = client;
    await c.set('bench:get', 'x');
    // A generous command timeout: on a loaded machine a 250 ms bound could trip, and the numbers
    // would then measure the memory fallback. Any store error makes the run invalid (teardown).
    const limiter = rateLimit({ name: 'bench', limits: { quota: 1e12, windowMs: 3_600_000 }, store: redisStore(c, { commandTimeoutMs: 10_000 }) });
    limiter.onStoreError(({ error }) => {
      storeErrors++;
      lastError = error;
    });
    const flexible = new RateLimiterRedis({ storeClient: c, points: 1e12, duration: 3_600, keyPrefix: 'rlflx' });
    await limiter.check('hot');
    await flexible.consume('hot');
    const check = () => limiter.check('hot');
    const consume = () => flexible.consume('hot');
    const get = () => c.get('bench:get');
    return {
      'ioredis GET (sequential)': get,
      'rate-limit check (sequential)': check,
      'RateLimiterRedis.consume (sequential)': consume,
      [`ioredis GET x${IN_FLIGHT}`]: inFlight(get),
      [`rate-limit check x${IN_FLIGHT}`]: inFlight(check),
      [`RateLimiterRedis.consume x${IN_FLIGHT}`]: inFlight(consume),
    };
  },
  async teardown() {
    client?.disconnect();
    await redis?.stop();
    if (storeErrors > 0) throw new Error(`rate-limit-redis: ${storeErrors} store errors, the Redis numbers are not valid`, { cause: lastError });
  },
};
