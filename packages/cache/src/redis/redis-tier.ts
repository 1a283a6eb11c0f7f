import { assertBoolean, assertInteger, type Event } from '@breakwater/core';
import type { CacheEntry, RemoteTier } from '../types.ts';
import type { L2BreakerState } from './breaker.ts';
import { clientKeyPrefix, isCluster, quitBounded, scanTargets, unlinkAll, type RedisClient } from './client.ts';
import { decodeEntry, encodeEntry } from './envelope.ts';
import type { BreakerCloseEvent, BreakerOpenEvent, RedisErrorEvent } from './events.ts';
import { escapeGlob, keyLayout, type KeyLayout } from './keys.ts';
import { assertClient, CONNECTION_DEFAULTS, CONNECTION_OPTION_NAMES, resolveOptions, type RedisConnectionOptions } from './options.ts';
import { RedisGuard } from './redis-guard.ts';
import { luaScript, runScript } from './script.ts';

export interface RedisTierOptions extends RedisConnectionOptions {
  /** Keys per SCAN / SSCAN step (the COUNT hint) and per UNLINK batch in `deletePrefix` and `deleteTags` (10–10 000). @default 250 */
  readonly scanCount?: number;
  /** Whether `close()` also quits the client. The client is yours, so by default we leave it open. @default false */
  readonly closeClient?: boolean;
  /**
   * The longest an entry or a tag set lives in Redis, in ms (integer, 1 ms–365 days). Every key we
   * write gets a TTL: an entry that never expires (the cache's default `ttl: Infinity`) or lives
   * longer is stored for this long, so L2 drops it after at most this and the next instance that
   * misses it in L1 calls the loader again. @default 86_400_000 (24 h)
   */
  readonly maxTtlMs?: number;
}

const DEFAULTS = { ...CONNECTION_DEFAULTS, scanCount: 250, closeClient: false, maxTtlMs: 86_400_000 } as const satisfies Required<RedisTierOptions>;
const KNOWN = [...CONNECTION_OPTION_NAMES, 'scanCount', 'closeClient', 'maxTtlMs'];
const MAX_TTL_LIMIT_MS = 365 * 86_400_000;

/** The Redis L2 tier: a {@link RemoteTier} with its breaker state and events. */
export interface RedisTier extends RemoteTier {
  readonly breakerState: L2BreakerState;
  /** A Redis call failed or was shed (every rejection of the tier, and nothing else). */
  readonly onError: Event<RedisErrorEvent>;
  readonly onBreakerOpen: Event<BreakerOpenEvent>;
  readonly onBreakerClose: Event<BreakerCloseEvent>;
}

/**
 * Lists the cache key `ARGV[2]` in the tag set `KEYS[1]` and makes the set live at least
 * `ARGV[1]` ms (always > 0: every key has a TTL), never shortening it, so the set outlives every
 * entry it lists. A set without a TTL (PTTL -1: just created, or written by an older version) gets
 * one. One key: safe on a Cluster.
 */
const TAG_SCRIPT = luaScript(`local ttl = tonumber(ARGV[1])
redis.call('SADD', KEYS[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`);

/**
 * On a single server, in one round trip: lists the cache key `ARGV[3]` in each tag set `KEYS[2..]`
 * as TAG_SCRIPT does, then stores the entry `KEYS[1]` for `ARGV[1]` ms. A script is not rolled
 * back when a command fails (a WRONGTYPE tag key), so the entry goes last: it is never stored
 * without being listed.
 */
const SET_TAGGED_SCRIPT = luaScript(`local ttl = tonumber(ARGV[1])
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[3])
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl)
return 1`);

/**
 * The shared L2 on a Redis or Cluster client you own. Each entry is one string
 * (`SET <prefix>e:<key> <envelope> PX <until staleUntil, at most maxTtlMs>`); each tag is a set of
 * cache keys (`<prefix>t:<tag>`) that lives at least as long as its entries. Every key has a TTL. Every call is bounded by
 * `commandTimeoutMs` and goes through a short breaker, so a dead Redis costs a few timeouts, then
 * nothing: calls reject at once with `L2UnavailableError` until a probe succeeds.
 *
 * On a single server a tagged entry and its tag sets are written by one script. On a Cluster no
 * command ever names two keys: the tag sets are written first (one script each), then the entry,
 * and deletes go one key per UNLINK.
 */
export function redisTier(client: RedisClient, options?: RedisTierOptions): RedisTier {
  assertClient('redisTier()', client);
  const config = resolveOptions('redisTier()', KNOWN, DEFAULTS, options);
  assertInteger('scanCount', config.scanCount, { min: 10, max: 10_000 });
  assertBoolean('closeClient', config.closeClient);
  assertInteger('maxTtlMs', config.maxTtlMs, { min: 1, max: MAX_TTL_LIMIT_MS });
  return new RedisTierImpl(client, config);
}

class RedisTierImpl implements RedisTier {
  readonly #client: RedisClient;
  readonly #guard: RedisGuard;
  readonly #keys: KeyLayout;
  readonly #config: Required<RedisTierOptions>;
  #closing: Promise<void> | undefined;

  readonly onError: Event<RedisErrorEvent>;
  readonly onBreakerOpen: Event<BreakerOpenEvent>;
  readonly onBreakerClose: Event<BreakerCloseEvent>;

  constructor(client: RedisClient, config: Required<RedisTierOptions>) {
    this.#client = client;
    this.#config = config;
    this.#keys = keyLayout(config.prefix);
    this.#guard = new RedisGuard(client, config);
    this.onError = this.#guard.onError;
    this.onBreakerOpen = this.#guard.onBreakerOpen;
    this.onBreakerClose = this.#guard.onBreakerClose;
  }

  get breakerState(): L2BreakerState {
    return this.#guard.breakerState;
  }

  async get(key: string): Promise<CacheEntry<string> | undefined> {
    const raw = await this.#guard.run('get', () => this.#client.get(this.#keys.entry(key)));
    if (raw === null) return undefined;
    const entry = decodeEntry(raw);
    // PX already drops expired entries; this guards against clock skew between instances.
    if (entry === undefined || entry.staleUntil <= this.#config.clock.epochNow()) return undefined;
    return entry;
  }

  set(key: string, entry: CacheEntry<string>): Promise<void> {
    const entryKey = this.#keys.entry(key);
    // Every key gets a TTL, capped by maxTtlMs (an entry that never expires gets the cap).
    const ttlMs = Math.min(Math.ceil(entry.staleUntil - this.#config.clock.epochNow()), this.#config.maxTtlMs);
    // Already past staleUntil (or not a time at all): storing it would be wrong, and so would
    // leaving an older value behind.
    if (!(ttlMs > 0)) return this.#guard.run('set', async () => void (await this.#client.unlink(entryKey)));
    const envelope = encodeEntry(entry);
    const tags = entry.tags ?? [];
    if (tags.length === 0) return this.#guard.run('set', async () => void (await this.#client.set(entryKey, envelope, 'PX', ttlMs)));
    const tagKeys = tags.map((tag) => this.#keys.tagSet(tag));
    if (!isCluster(this.#client)) {
      // One script, so no other client sees the entry before its tag sets list it.
      return this.#guard.run('set', async () => void (await runScript(this.#client, SET_TAGGED_SCRIPT, [entryKey, ...tagKeys], [ttlMs, envelope, key])));
    }
    // A Cluster cannot run one script over keys in several slots. The tag sets are written first,
    // so a tagged entry is never in Redis without being listed (a failure between the two leaves
    // a listed member without an entry, which is harmless): two round trips, for tagged sets only.
    return this.#guard.run('set', async () => {
      await Promise.all(tagKeys.map((tagKey) => runScript(this.#client, TAG_SCRIPT, [tagKey], [ttlMs, key])));
      await this.#client.set(entryKey, envelope, 'PX', ttlMs);
    });
  }

  delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return Promise.resolve();
    return this.#guard.run('delete', () => unlinkAll(this.#client, keys.map((key) => this.#keys.entry(key))));
  }

  /**
   * For each tag: SSCAN its set in steps of `scanCount`, unlink the listed entries, then SREM
   * exactly the members handled, so an entry tagged meanwhile stays listed for the next call.
   * An entry re-set without the tag may still be listed and is deleted too: a spurious miss,
   * never a stale read.
   */
  async deleteTags(tags: readonly string[]): Promise<void> {
    await Promise.all(tags.map((tag) => this.#deleteTag(tag)));
  }

  async #deleteTag(tag: string): Promise<void> {
    const setKey = this.#keys.tagSet(tag);
    let cursor = '0';
    do {
      const [next, members] = await this.#guard.run('deleteTags', () => this.#client.sscan(setKey, cursor, 'COUNT', this.#config.scanCount));
      cursor = next;
      if (members.length === 0) continue;
      await this.#guard.run('deleteTags', async () => {
        await unlinkAll(this.#client, members.map((member) => this.#keys.entry(member)));
        await this.#client.srem(setKey, ...members);
      });
    } while (cursor !== '0');
  }

  /**
   * SCAN MATCH on every master (a Cluster's `nodes('master')`, or the server), the prefix
   * glob-escaped, `scanCount` keys per step, each step and each UNLINK batch bounded by the
   * command timeout. Tag sets may keep members of deleted entries; they expire with the set.
   */
  async deletePrefix(prefix: string): Promise<void> {
    const clientPrefix = clientKeyPrefix(this.#client);
    const pattern = escapeGlob(clientPrefix) + this.#keys.entryPattern(prefix);
    // Not a guarded call: listing the masters sends nothing, so it must not count as a probe.
    const targets = scanTargets(this.#client);
    if (targets.length === 0) {
      // A Cluster that knows no master yet: say so rather than report a delete that never ran.
      return this.#guard.run('deletePrefix', () => Promise.reject(new Error('no Redis master is known')));
    }
    await Promise.all(
      targets.map(async (node) => {
        let cursor = '0';
        do {
          const [next, found] = await this.#guard.run('deletePrefix', () => node.scan(cursor, 'MATCH', pattern, 'COUNT', this.#config.scanCount));
          cursor = next;
          // ioredis adds its keyPrefix to UNLINK's arguments, so it comes off the keys SCAN found.
          const keys = clientPrefix === '' ? found : found.map((key) => key.slice(clientPrefix.length));
          if (keys.length > 0) await this.#guard.run('deletePrefix', () => unlinkAll(this.#client, keys));
        } while (cursor !== '0');
      }),
    );
  }

  /** Stops the tier (later calls reject with reason `closed`); quits the client only with `closeClient: true`. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#guard.close();
      if (this.#config.closeClient) await quitBounded(this.#client, this.#config.commandTimeoutMs, this.#config.clock);
    })();
    return this.#closing;
  }
}
