import type { Cluster, Redis } from 'ioredis';
import type { Clock } from '@breakwater/core';
import type { LimiterSpec, RateLimitStore, StoreReply } from '../store.ts';
import { encodeKeyPart, redisKeyHead } from './keys.ts';
import { resolveRedisStoreOptions, type RedisStoreOptions } from './redis-store-options.ts';
import { DECIDE_SCRIPT, DECIDE_SCRIPT_SHA, gcraScript, sha1 } from './script.ts';
import { DecisionBatch, Pending, ScriptCall, type Plan, type ScriptClient } from './pending-decision.ts';

const ALGORITHM_LETTER = { gcra: 'g', 'token-bucket': 'b', 'sliding-window': 's', 'fixed-window': 'f' } as const;

/** Statuses in which ioredis would only queue a command until a reconnect that may never come. */
const OFFLINE = new Set(['reconnecting', 'close', 'end']);

const TEST_MARGIN_MS = 600_000;
const MARGIN_MS = 1_000;
/**
 * Most decisions one GCRA call decides: bounds how long one script holds Redis (a few µs per
 * decision, so well under a millisecond).
 */
const MAX_DECISIONS_PER_CALL = 128;

/**
 * A store in Redis or Redis Cluster: each decision reaches Redis in one round trip, in an
 * `EVALSHA` of a Lua script that reads Redis `TIME`, decides every limit of the key and writes the
 * state back with a TTL (with `batch`, one call decides a tick's GCRA decisions of one limiter).
 * `NOSCRIPT` (after a restart, failover or `SCRIPT FLUSH`) is answered by an `EVAL` in the same
 * call, which loads the script again.
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
  /** The decisions made in this turn of the event loop, sent in its check phase. */
  #open: DecisionBatch | undefined;

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
    const now = this.#now?.();
    if (!this.#batch) {
      const pending = new Pending(plan, redisKeyName, cost, now, new DecisionBatch(this.#clock, this.commandTimeoutMs));
      new ScriptCall(client, [pending]).send();
      return pending.promise;
    }
    let batch = this.#open;
    if (batch === undefined) {
      batch = this.#open = new DecisionBatch(this.#clock, this.commandTimeoutMs);
      // Sent once this turn of the event loop has run its I/O callbacks, not at the end of this
      // one: a server's requests arrive in separate callbacks, and their decisions would
      // otherwise travel alone. The replies are read in the next turn's poll phase anyway, so
      // waiting for the rest of this one delays them by at most what those callbacks take.
      scheduleFlush(this.#flush);
    }
    return new Pending(plan, redisKeyName, cost, now, batch).promise;
  }

  /**
   * Sends the decisions made in this tick: a limiter's GCRA decisions (the default) in one call
   * of its script (up to 128 per call), the others one call each, all in one socket write (an
   * ioredis pipeline). Every decision still reaches Redis in one round trip and is decided
   * atomically, in the order it was made.
   */
  readonly #flush = (): void => {
    const batch = this.#open!.pendings;
    this.#open = undefined;
    const client = this.#client;
    if (batch.length === 1) {
      new ScriptCall(client, batch).send();
      return;
    }
    const calls: ScriptCall[] = [];
    // Usually one limiter per tick: its decisions go in one list without a map lookup each.
    let plan: Plan | undefined;
    let group: Pending[] = [];
    let others: Map<Plan, Pending[]> | undefined;
    for (const pending of batch) {
      if (pending.plan.head !== undefined) {
        calls.push(new ScriptCall(client, [pending]));
        continue;
      }
      let list: Pending[];
      if (plan === undefined || pending.plan === plan) {
        plan = pending.plan;
        list = group;
      } else {
        others ??= new Map();
        list = others.get(pending.plan) ?? [];
        if (list.length === 0) others.set(pending.plan, list);
      }
      list.push(pending);
      if (list.length === MAX_DECISIONS_PER_CALL) {
        calls.push(new ScriptCall(client, list.splice(0)));
      }
    }
    if (group.length > 0) calls.push(new ScriptCall(client, group));
    if (others !== undefined) for (const list of others.values()) if (list.length > 0) calls.push(new ScriptCall(client, list));
    if (calls.length === 1) {
      calls[0]!.send();
      return;
    }
    const pipeline = client.pipeline();
    for (const call of calls) call.addTo(pipeline);
    pipeline.exec().then(
      (results) => {
        for (let i = 0; i < calls.length; i++) {
          const result = results?.[i];
          if (result === undefined) calls[i]!.fail(new Error('Redis pipeline answered no result'));
          else if (result[0] !== null) calls[i]!.retry(result[0]);
          else calls[i]!.answer(result[1]);
        }
      },
      (error: unknown) => {
        for (const call of calls) call.fail(error);
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
      // KEYS: one per decision; ARGV: their costs (and times, in tests).
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

/**
 * Node's own `setImmediate`, taken when this module loads: the flush is I/O batching, not a
 * timer, so fake timers installed later by tests (which fake `setImmediate` too) must not hold it.
 */
const realSetImmediate = globalThis.setImmediate;

function scheduleFlush(flush: () => void): void {
  realSetImmediate(flush);
}
