import type { Cluster, Redis } from 'ioredis';
import type { Clock } from '@breakwater/core';
import type { LimiterSpec, RateLimitStore, StoreReply } from '../store.ts';
import { encodeKeyPart, redisKeyHead } from './keys.ts';
import { resolveRedisStoreOptions, type RedisStoreOptions } from './redis-store-options.ts';
import { DECIDE_SCRIPT, DECIDE_SCRIPT_SHA, gcraScript, sha1 } from './script.ts';
import { Pending, type Plan, type ScriptClient } from './pending-decision.ts';

const ALGORITHM_LETTER = { gcra: 'g', 'token-bucket': 'b', 'sliding-window': 's', 'fixed-window': 'f' } as const;

/** Statuses in which ioredis would only queue a command until a reconnect that may never come. */
const OFFLINE = new Set(['reconnecting', 'close', 'end']);

const TEST_MARGIN_MS = 600_000;
const MARGIN_MS = 1_000;

/**
 * A store in Redis or Redis Cluster: each decision is one `EVALSHA` (one round trip) of a Lua
 * script that reads Redis `TIME`, decides every limit of the key and writes the state back with a
 * TTL. `NOSCRIPT` (after a restart, failover or `SCRIPT FLUSH`) is answered by an `EVAL` in the
 * same call, which loads the script again.
 */
export class RedisStore implements RateLimitStore {
  readonly kind = 'redis';
  readonly prefix: string;
  readonly commandTimeoutMs: number;
  readonly #client: ScriptClient;
  readonly #now: (() => number) | undefined;
  readonly #clock: Clock;
  readonly #plans = new WeakMap<LimiterSpec, Plan>();
  /** Batch a tick's decisions into one pipeline (not on Cluster, where a pipeline must stay in one slot). */
  readonly #batch: boolean;
  #queue: Pending[] = [];

  constructor(client: Redis | Cluster, options?: RedisStoreOptions) {
    if (client === null || typeof client !== 'object' || typeof (client as unknown as ScriptClient).evalsha !== 'function') {
      throw Object.assign(new TypeError('Expected `client` to be an ioredis Redis or Cluster instance'), { code: 'ERR_BREAKWATER_INVALID_OPTION' });
    }
    const config = resolveRedisStoreOptions(options);
    this.#client = client as unknown as ScriptClient;
    this.#batch = config.batch && this.#client.isCluster !== true && typeof this.#client.pipeline === 'function';
    this.prefix = config.prefix;
    this.commandTimeoutMs = config.commandTimeoutMs;
    this.#now = config.now;
    this.#clock = config.clock;
  }

  decide(spec: LimiterSpec, key: string, cost: number): Promise<StoreReply> {
    const client = this.#client;
    if (OFFLINE.has(client.status)) return Promise.reject(new Error(`Redis connection is ${client.status}`));
    const plan = this.#plans.get(spec) ?? this.#planFor(spec);
    const redisKeyName = `${plan.keyHead}{${encodeKeyPart(key)}}`;
    let redisArgs: (string | number)[];
    if (plan.head === undefined) {
      redisArgs = this.#now === undefined ? [redisKeyName, cost] : [redisKeyName, cost, this.#now()];
    } else {
      redisArgs = plan.head.slice();
      redisArgs[0] = redisKeyName;
      redisArgs[2] = cost;
      if (this.#now !== undefined) redisArgs[4] = this.#now();
    }
    const pending = new Pending(this.#client, plan, redisArgs, this.#clock, this.commandTimeoutMs);
    if (!this.#batch) {
      pending.send();
      return pending.promise;
    }
    this.#queue.push(pending);
    if (this.#queue.length === 1) queueMicrotask(this.#flush);
    return pending.promise;
  }

  /**
   * Sends the decisions made in this tick: one alone as it is, several in one pipeline (one
   * socket write; still one EVALSHA and one round trip each).
   */
  readonly #flush = (): void => {
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 1) {
      batch[0]!.send();
      return;
    }
    const pipeline = this.#client.pipeline();
    for (const pending of batch) pending.addTo(pipeline);
    pipeline.exec().then(
      (results) => {
        for (let i = 0; i < batch.length; i++) {
          const result = results?.[i];
          if (result === undefined) batch[i]!.fail(new Error('Redis pipeline answered no result'));
          else if (result[0] !== null) batch[i]!.retry(result[0]);
          else batch[i]!.settle(result[1]);
        }
      },
      (error: unknown) => {
        for (const pending of batch) pending.fail(error);
      },
    );
  };

  /** Nothing to release: the client belongs to the caller, who quits it. */
  async close(): Promise<void> {}

  /** The script and the fixed part of its arguments for one limiter, built once. */
  #planFor(spec: LimiterSpec): Plan {
    const margin = this.#now === undefined ? MARGIN_MS : TEST_MARGIN_MS;
    // The limits are part of the key: limiters that share a name but not their limits must not
    // share state (the scripts store no quota or window to tell them apart).
    const keyHead = redisKeyHead(this.prefix, { name: spec.id, algorithm: spec.algorithm.name, limits: spec.limits });
    let plan: Plan;
    if (spec.algorithm.name === 'gcra' && spec.limits.length === 1) {
      const { quota, windowMs } = spec.limits[0]!;
      // KEYS[1], ARGV: cost (and now, in tests).
      const script = gcraScript(quota, windowMs, margin, spec.consumeWhenDenied);
      plan = { keyHead, sha: sha1(script), script, head: undefined };
    } else {
      // KEYS[1], ARGV: algorithm, cost, consume, now, margin, number of limits, quota/window pairs.
      const consume = spec.consumeWhenDenied ? '1' : '0';
      const head: (string | number)[] = ['', ALGORITHM_LETTER[spec.algorithm.name], 0, consume, '', margin, spec.limits.length];
      for (const limit of spec.limits) head.push(limit.quota, limit.windowMs);
      plan = { keyHead, sha: DECIDE_SCRIPT_SHA, script: DECIDE_SCRIPT, head };
    }
    this.#plans.set(spec, plan);
    return plan;
  }
}

/**
 * A rate-limit store in Redis or Redis Cluster (ioredis `Redis` or `Cluster`, which you own and
 * quit). Give the client `enableOfflineQueue: false` if you can; either way every decision is
 * bounded by `commandTimeoutMs`.
 *
 * ```ts
 * import { rateLimit } from '@breakwater/rate-limit';
 * import { redisStore } from '@breakwater/rate-limit/redis';
 * const limiter = rateLimit({ limits: { quota: 100, windowMs: 60_000 }, store: redisStore(new Redis()) });
 * ```
 */
export function redisStore(client: Redis | Cluster, options?: RedisStoreOptions): RedisStore {
  return new RedisStore(client, options);
}
