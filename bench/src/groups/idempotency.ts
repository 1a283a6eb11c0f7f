// What idempotency.run() costs: a first call (claim, run, store: two store calls) and a replay
// (one claim that returns the stored outcome), on the memory store and on Redis (one EVALSHA per
// store call, one connection to a local redis-server), against a bare async call and a raw
// ioredis round trip. Absolute numbers swing with vCPU placement: read the paired ratios.
import type { Redis } from 'ioredis';
import { idempotency, memoryStore, type Idempotency } from '@breakwater/idempotency';
import { redisStore } from '@breakwater/idempotency/redis';
import { startRedis, type RedisServer } from 'breakwater-test-utils';
import type { BenchGroup } from '../group.ts';

const outcome = { status: 201, headers: { 'content-type': 'application/json' }, body: 'eyJpZCI6Im9yZGVyXzEyMyIsInN0YXR1cyI6ImNyZWF0ZWQifQ==' };
const fn = async (): Promise<typeof outcome> => outcome;

let redis: RedisServer | undefined;
let client: Redis | undefined;
const opened: Idempotency[] = [];

export const group: BenchGroup = {
  title: 'Idempotency run(): first call (claim + store) and replay, memory and Redis',
  baseline: 'bare: await fn()',
  comparisons: [
    ['memory: first call', 'bare: await fn()'],
    ['memory: replay', 'bare: await fn()'],
    ['redis: first call', 'ioredis SET NX PX (one round trip)'],
    ['redis: replay', 'ioredis SET NX PX (one round trip)'],
  ],
  async setup() {
    redis = await startRedis();
    client = await redis.client({ enableOfflineQueue: true, maxRetriesPerRequest: 1 });
    const c = client;
    // Short TTLs: first calls create a record each, and the run makes tens of thousands.
    const memory = idempotency({ name: 'bench-memory', store: memoryStore(), ttlMs: 60_000 });
    const shared = idempotency({ name: 'bench-redis', store: redisStore(c, { prefix: 'bench:idem:' }), ttlMs: 60_000 });
    opened.push(memory, shared);
    await memory.run('replayed', 'fp', fn);
    await shared.run('replayed', 'fp', fn);
    let memoryKeys = 0;
    let redisKeys = 0;
    let rawKeys = 0;
    return {
      'bare: await fn()': () => fn(),
      'memory: first call': () => memory.run(`k${memoryKeys++}`, 'fp', fn, { scope: 'tenant-1' }),
      'memory: replay': () => memory.run('replayed', 'fp', fn),
      'ioredis SET NX PX (one round trip)': () => c.set(`bench:raw:${rawKeys++}`, 'owner', 'PX', 60_000, 'NX'),
      'redis: first call': () => shared.run(`k${redisKeys++}`, 'fp', fn, { scope: 'tenant-1' }),
      'redis: replay': () => shared.run('replayed', 'fp', fn),
    };
  },
  async teardown() {
    for (const idem of opened.splice(0)) await idem.close();
    client?.disconnect();
    await redis?.stop();
  },
};
