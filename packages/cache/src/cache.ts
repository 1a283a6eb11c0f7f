import { LRUCache } from 'lru-cache';
import { EventEmitter, raceAbort, type Disposable, type Event } from '@breakwater/core';
import { assertFreshness, resolveCacheOptions, type CacheOptions, type FreshnessOptions, type ResolvedCacheOptions } from './cache-options.ts';
import { invalidGetOrLoadOptions, type GetOrLoadOptions, type Loader, type SetOptions } from './call-options.ts';
import { withDeadline } from './deadline.ts';
import { lockOrWait } from './lock-wait.ts';
import { CacheClosedError } from './errors/cache-closed-error.ts';
import type { CacheGetEvent, CacheL2ErrorEvent, CacheLoadEvent, FlushEvent, L2Operation, WriteFailedEvent, WriteRetriedEvent } from './events.ts';
import { Remote } from './remote.ts';
import type { CacheEntry, InvalidationMessage, LockLease } from './types.ts';
import { WriteBehindQueue } from './write-behind.ts';

interface Flight<V> {
  promise: Promise<V>;
  readonly controller: AbortController;
  readonly tags: readonly string[] | undefined;
  /** A set or delete happened meanwhile: the result goes to the waiters but is not stored. */
  invalidated: boolean;
}

const noop = (): void => {};
const resolved: Promise<void> = Promise.resolve();

/**
 * A two-tier cache: L1 in process (lru-cache), optional L2 shared (a `RemoteTier`). See
 * {@link createCache}.
 */
export class Cache<V = unknown> {
  readonly name: string;
  readonly #o: ResolvedCacheOptions<V>;
  readonly #l1: LRUCache<string, CacheEntry<V>>;
  readonly #remote: Remote<V> | undefined;
  readonly #flights = new Map<string, Flight<V>>();
  /** Write-through sets in progress per key, to store only the latest one's value. */
  readonly #writing = new Map<string, { latest: number; active: number }>();
  #writeSeq = 0;
  readonly #writer: WriteBehindQueue<V> | undefined;
  readonly #subscription: Disposable | undefined;
  /** Bumped by every local write and invalidation, so a read that raced one does not fill L1. */
  #mutations = 0;
  #closed = false;
  #closing: Promise<void> | undefined;
  /**
   * L2 fills after a load, not awaited by the load's callers: the latest one per key. A later L2
   * write or delete of that key (or a tag/prefix delete) waits for it, so the fill can never land
   * after, and resurrect over, a newer write or delete from this instance; close() waits for all.
   */
  readonly #l2Fills = new Map<string, Promise<void>>();

  readonly #onGet = new EventEmitter<CacheGetEvent>();
  readonly #onLoad = new EventEmitter<CacheLoadEvent>();
  readonly #onL2Error = new EventEmitter<CacheL2ErrorEvent>();
  readonly #onFlush = new EventEmitter<FlushEvent>();
  readonly #onWriteFailed = new EventEmitter<WriteFailedEvent<V>>();
  readonly #onWriteRetried = new EventEmitter<WriteRetriedEvent>();

  /** Each L1 decision (once per `get`/`getOrLoad`) and each L2 lookup. */
  readonly onGet: Event<CacheGetEvent> = this.#onGet.event;
  /** Each loader call, when it settles. */
  readonly onLoad: Event<CacheLoadEvent> = this.#onLoad.event;
  /** An L2, bus or lock failure; the cache went on without it. */
  readonly onL2Error: Event<CacheL2ErrorEvent> = this.#onL2Error.event;
  /** A write-behind batch reached the source of truth. */
  readonly onFlush: Event<FlushEvent> = this.#onFlush.event;
  /** A write-behind batch failed (`final`: given up after `maxRetries`). */
  readonly onWriteFailed: Event<WriteFailedEvent<V>> = this.#onWriteFailed.event;
  /** A failed write-behind batch is about to be retried. */
  readonly onWriteRetried: Event<WriteRetriedEvent> = this.#onWriteRetried.event;

  constructor(options?: CacheOptions<V>) {
    const o = resolveCacheOptions(options);
    this.#o = o;
    this.name = o.name;
    const { max, maxSize, sizeCalculation } = o.l1;
    this.#l1 = new LRUCache<string, CacheEntry<V>>({
      ...(max !== undefined ? { max } : {}),
      ...(maxSize !== undefined ? { maxSize, sizeCalculation: (entry: CacheEntry<V>, key: string) => sizeCalculation!(entry.value, key) } : {}),
    } as LRUCache.Options<string, CacheEntry<V>, unknown>);
    const reportError = (operation: L2Operation, error: unknown): void => this.#onL2Error.emit({ cache: o.name, operation, error });
    this.#remote = o.l2 === undefined ? undefined : new Remote(o.l2, o.serializer, o.namespace, reportError);
    if (o.writeBehind !== undefined) {
      this.#writer = new WriteBehindQueue(o.writeBehind, {
        name: o.name,
        clock: o.clock,
        onFlush: this.#onFlush,
        onWriteFailed: this.#onWriteFailed,
        onWriteRetried: this.#onWriteRetried,
        giveUp: (keys) => void this.#evict(keys).catch(noop),
      });
    }
    this.#subscription = o.bus?.subscribe((message) => this.#onRemoteInvalidation(message));
  }

  /** Write-behind writes accepted and not yet persisted (0 without write-behind). */
  get pendingWrites(): number {
    return this.#writer?.pending ?? 0;
  }

  /** Entries in L1 (expired ones included until evicted or read). */
  get size(): number {
    return this.#l1.size;
  }

  /**
   * Cache-aside: the cached value, or the loader's. Concurrent misses for a key share one loader
   * call (per process; across instances with `lock`). Stale-while-revalidate and grace apply as
   * configured. A loader error reaches every waiter and is not cached.
   */
  getOrLoad(key: string, loader: Loader<V>, options?: GetOrLoadOptions<V>): Promise<V> {
    if (this.#closed) return Promise.reject(new CacheClosedError(this.name));
    const entry = this.#l1.get(key);
    if (entry !== undefined) {
      const freshUntil = entry.freshUntil;
      // The hit path: no clock read for entries that never expire, no payload without listeners.
      if (freshUntil === Infinity || freshUntil > this.#o.clock.epochNow()) {
        if (this.#onGet.hasListeners) this.#onGet.emit({ cache: this.name, tier: 'l1', result: 'hit', key });
        return Promise.resolve(entry.value);
      }
      return this.#stale(key, entry, loader, options);
    }
    if (options !== undefined) {
      const invalid = invalidGetOrLoadOptions(options);
      if (invalid !== undefined) return Promise.reject(invalid);
    }
    if (this.#onGet.hasListeners) this.#onGet.emit({ cache: this.name, tier: 'l1', result: 'miss', key });
    return this.#join(key, loader, options, undefined);
  }

  /** The cached value (L1, then L2), fresh or inside its stale window (stale-while-revalidate or grace); never loads. */
  async get(key: string): Promise<V | undefined> {
    if (this.#closed) throw new CacheClosedError(this.name);
    const now = this.#o.clock.epochNow();
    const entry = this.#l1.get(key);
    if (entry !== undefined && entry.staleUntil > now) {
      const result = entry.freshUntil > now ? 'hit' : 'stale';
      if (this.#onGet.hasListeners) this.#onGet.emit({ cache: this.name, tier: 'l1', result, key });
      return entry.value;
    }
    if (this.#onGet.hasListeners) this.#onGet.emit({ cache: this.name, tier: 'l1', result: 'miss', key });
    if (this.#remote === undefined) return undefined;
    const mutations = this.#mutations;
    const remote = await this.#remote.get(key);
    const usable = remote !== undefined && remote.staleUntil > this.#o.clock.epochNow();
    const result = !usable ? 'miss' : remote.freshUntil > this.#o.clock.epochNow() ? 'hit' : 'stale';
    if (this.#onGet.hasListeners) this.#onGet.emit({ cache: this.name, tier: 'l2', result, key });
    if (!usable) return undefined;
    // A set or invalidation during the L2 read may have made this value the older one: do not keep it.
    if (mutations === this.#mutations) this.#l1.set(key, remote);
    return remote.value;
  }

  /**
   * Stores `value`. Without a write mode it fills the tiers. With `writeThrough` it writes the
   * source of truth first and fills the tiers only if that succeeded; a failed write evicts the
   * key everywhere and rejects with the writer's error. With `writeBehind` it fills the tiers and
   * queues the write (waiting for room, bounded, or rejecting with `WriteBehindFullError`).
   * Publishes an invalidation when a bus is configured.
   */
  set(key: string, value: V, options?: SetOptions<V>): Promise<void> {
    if (this.#closed) return Promise.reject(new CacheClosedError(this.name));
    if (options !== undefined) {
      try {
        assertFreshness('set() option ', options);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (this.#o.writeThrough !== undefined) return this.#setThrough(key, value, options);
    if (this.#writer !== undefined) {
      let admitted: Promise<void> | undefined;
      try {
        admitted = this.#writer.admit(key, options?.signal);
      } catch (error) {
        return Promise.reject(error);
      }
      if (admitted === undefined) return this.#setBehind(key, value, options, false);
      return admitted.then(() => this.#setBehind(key, value, options, true));
    }
    this.#invalidateFlight(key);
    return this.#fill(key, value, options);
  }

  /** Evicts `key` from L1 and L2 and tells the other instances. Does not touch the source of truth. */
  delete(key: string): Promise<void> {
    if (this.#closed) return Promise.reject(new CacheClosedError(this.name));
    return this.#evict([key]);
  }

  /** Evicts every entry tagged with `tag` (or one of `tags`), here, in L2 and on the other instances. */
  async deleteTag(tag: string | readonly string[]): Promise<void> {
    if (this.#closed) throw new CacheClosedError(this.name);
    const tags = typeof tag === 'string' ? [tag] : tag;
    this.#dropTagsLocally(tags);
    await Promise.all([this.#remote && this.#afterFills(undefined, () => this.#remote!.deleteTags(tags)), this.#publish({ kind: 'tags', tags: tags.map((t) => this.#qualify(t)) })]);
  }

  /** Evicts every key starting with `prefix`, here, in L2 and on the other instances. */
  async deletePrefix(prefix: string): Promise<void> {
    if (this.#closed) throw new CacheClosedError(this.name);
    this.#dropPrefixLocally(prefix);
    await Promise.all([this.#remote && this.#afterFills(undefined, () => this.#remote!.deletePrefix(prefix)), this.#publish({ kind: 'prefix', prefix: this.#qualify(prefix) })]);
  }

  /** Empties L1 only (other instances and L2 keep their entries). */
  clearLocal(): void {
    this.#mutations++;
    for (const flight of this.#flights.values()) flight.invalidated = true;
    this.#flights.clear();
    this.#l1.clear();
  }

  /** Sends every queued write-behind write and resolves when none is pending. */
  flush(): Promise<void> {
    return this.#writer?.flush() ?? Promise.resolve();
  }

  /**
   * Stops accepting calls, aborts running loaders (their waiters get `CacheClosedError`), drains
   * the write-behind queue (retries included), waits for the background L2 writes of finished
   * loads, unsubscribes from the bus and resolves. Leaves no
   * timer. Does not close `l2`, `bus` or `lock`: whoever created them closes them (they may be
   * shared by several caches). Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    this.#subscription?.dispose();
    const flights = [...this.#flights.values()];
    const reason = new CacheClosedError(this.name);
    for (const flight of flights) flight.controller.abort(reason);
    await Promise.all([this.#writer?.close(), ...flights.map((flight) => flight.promise.then(noop, noop))]);
    // Background L2 fills started before close (each bounded by the tier's own timeout): let them
    // finish rather than leave a write cut mid-flight.
    while (this.#l2Fills.size > 0) await Promise.all(this.#l2Fills.values());
  }

  // ---- cache-aside ---------------------------------------------------------------------------

  #stale(key: string, entry: CacheEntry<V>, loader: Loader<V>, options: GetOrLoadOptions<V> | undefined): Promise<V> {
    if (options !== undefined) {
      const invalid = invalidGetOrLoadOptions(options);
      if (invalid !== undefined) return Promise.reject(invalid);
    }
    const now = this.#o.clock.epochNow();
    if (now < entry.staleUntil) {
      const swr = options?.staleWhileRevalidate ?? this.#o.staleWhileRevalidate;
      if (this.#onGet.hasListeners) this.#onGet.emit({ cache: this.name, tier: 'l1', result: 'stale', key });
      if (now < entry.freshUntil + swr) {
        // Stale-while-revalidate: answer now, refresh once in the background. The flight never
        // rejects unobserved: its failure is reported by onLoad.
        if (!this.#flights.has(key)) this.#startFlight(key, loader, options, entry).promise.catch(noop);
        return Promise.resolve(entry.value);
      }
      // Grace: reload, and fall back to this entry if the loader fails.
      return this.#join(key, loader, options, entry);
    }
    this.#l1.delete(key);
    if (this.#onGet.hasListeners) this.#onGet.emit({ cache: this.name, tier: 'l1', result: 'miss', key });
    return this.#join(key, loader, options, undefined);
  }

  #join(key: string, loader: Loader<V>, options: GetOrLoadOptions<V> | undefined, stale: CacheEntry<V> | undefined): Promise<V> {
    const flight = this.#flights.get(key) ?? this.#startFlight(key, loader, options, stale);
    return raceAbort(flight.promise, options?.signal);
  }

  #startFlight(key: string, loader: Loader<V>, options: GetOrLoadOptions<V> | undefined, stale: CacheEntry<V> | undefined): Flight<V> {
    const flight: Flight<V> = { promise: undefined as unknown as Promise<V>, controller: new AbortController(), tags: options?.tags, invalidated: false };
    this.#flights.set(key, flight);
    flight.promise = this.#fly(key, flight, loader, options, stale);
    return flight;
  }

  async #fly(key: string, flight: Flight<V>, loader: Loader<V>, options: GetOrLoadOptions<V> | undefined, stale: CacheEntry<V> | undefined): Promise<V> {
    const { clock } = this.#o;
    let lease: LockLease | undefined;
    let loading = false;
    let started = 0;
    try {
      if (this.#remote !== undefined) {
        const found = await this.#lookupRemote(key, flight);
        if (found !== undefined && found.freshUntil > clock.epochNow()) return found.value;
        if (found !== undefined && (stale === undefined || found.freshUntil > stale.freshUntil)) stale = found;
        if (this.#o.lock !== undefined) {
          const outcome = await lockOrWait({
            lock: this.#o.lock,
            qualifiedKey: this.#qualify(key),
            lockTtl: this.#o.lockTtl,
            lockWait: this.#o.lockWait,
            pollInterval: this.#o.lockPollInterval,
            clock,
            signal: flight.controller.signal,
            lookup: () => this.#lookupRemote(key, flight),
            onLockError: this.#onLockError,
          });
          if (outcome.value !== undefined) return outcome.value.value;
          lease = outcome.lease;
        }
      }
      loading = true;
      started = clock.now();
      const timeout = options?.timeout ?? this.#o.timeout;
      // A loader that throws synchronously rejects the flight like an async failure.
      const value = await withDeadline(loader({ key, signal: flight.controller.signal }), timeout, flight.controller, clock, this.name);
      if (this.#onLoad.hasListeners) this.#onLoad.emit({ cache: this.name, durationMs: clock.now() - started, ok: true, servedStale: false, key });
      if (!flight.invalidated && !this.#closed) {
        const filled = this.#fillAfterLoad(key, value, options);
        // The lock is held until the value is in L2, so an instance polling for it finds it there
        // rather than taking the lock and loading again.
        if (lease !== undefined && filled !== undefined) {
          const held = lease;
          lease = undefined;
          void filled.then(() => held.release().catch(this.#onLockError));
        }
      }
      return value;
    } catch (error) {
      const now = clock.epochNow();
      const fallback = stale !== undefined && !this.#closed && now < stale.staleUntil;
      if (loading && this.#onLoad.hasListeners) {
        this.#onLoad.emit({ cache: this.name, durationMs: clock.now() - started, ok: false, servedStale: fallback, error, key });
      }
      if (!fallback) throw error;
      this.#backOff(key, stale!, now, flight);
      return stale!.value;
    } finally {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
      lease?.release().catch(this.#onLockError);
    }
  }

  readonly #onLockError = (error: unknown): void => this.#onL2Error.emit({ cache: this.name, operation: 'lock', error });

  /** L2 lookup inside a flight; a usable entry (fresh or stale) is copied to L1. */
  async #lookupRemote(key: string, flight: Flight<V>): Promise<CacheEntry<V> | undefined> {
    const found = await this.#remote!.get(key);
    const now = this.#o.clock.epochNow();
    const usable = found !== undefined && found.staleUntil > now;
    if (this.#onGet.hasListeners) {
      this.#onGet.emit({ cache: this.name, tier: 'l2', result: !usable ? 'miss' : found.freshUntil > now ? 'hit' : 'stale', key });
    }
    if (!usable) return undefined;
    if (!flight.invalidated && !this.#closed) this.#l1.set(key, found);
    return found;
  }

  /** After a failed reload served the stale value, serve it without reloading for `graceBackoff`. */
  #backOff(key: string, stale: CacheEntry<V>, now: number, flight: Flight<V>): void {
    const backoff = this.#o.graceBackoff;
    if (backoff === 0 || flight.invalidated || this.#closed) return;
    this.#l1.set(key, { ...stale, freshUntil: Math.min(now + backoff, stale.staleUntil) });
  }

  // ---- writes --------------------------------------------------------------------------------

  /** Builds the entry, stores it in L1 and L2 and tells the other instances (a `set()`). */
  async #fill(key: string, value: V, options: FreshnessOptions<V> & { readonly tags?: readonly string[] } | undefined): Promise<void> {
    const entry = this.#entry(value, options);
    this.#l1.set(key, entry);
    if (this.#remote === undefined && this.#o.bus === undefined) return;
    await Promise.all([this.#remote && this.#afterFills(key, () => this.#remote!.set(key, entry)), this.#publish({ kind: 'keys', keys: [this.#qualify(key)] })]);
  }

  /**
   * After a load: the entry goes to L1 now and to L2 in the background, so the callers do not
   * wait for the L2 write (a hung Redis would otherwise add its timeout to every miss). Errors are
   * reported by `Remote` (`onL2Error`); the returned promise never rejects. Loads publish nothing:
   * other instances had no copy of a value that was not cached. Returns the L2 write, if any.
   */
  #fillAfterLoad(key: string, value: V, options: FreshnessOptions<V> & { readonly tags?: readonly string[] } | undefined): Promise<void> | undefined {
    const entry = this.#entry(value, options);
    this.#l1.set(key, entry);
    const remote = this.#remote;
    if (remote === undefined) return undefined;
    const previous = this.#l2Fills.get(key);
    const write = (previous === undefined ? remote.set(key, entry) : previous.then(() => remote.set(key, entry))).catch(noop);
    this.#l2Fills.set(key, write);
    void write.then(() => {
      if (this.#l2Fills.get(key) === write) this.#l2Fills.delete(key);
    });
    return write;
  }

  /**
   * Runs an L2 write or delete after the background fills it must not be overtaken by: those of
   * `keys` (a key or several), or every one when `keys` is undefined (tag and prefix deletes). At
   * once when none is pending, which is the usual case.
   */
  #afterFills(keys: string | readonly string[] | undefined, run: () => Promise<void>): Promise<void> {
    if (this.#l2Fills.size === 0) return run();
    let pending: Promise<unknown> | undefined;
    if (keys === undefined) pending = Promise.all(this.#l2Fills.values());
    else if (typeof keys === 'string') pending = this.#l2Fills.get(keys);
    else {
      const fills = keys.map((key) => this.#l2Fills.get(key)).filter((fill) => fill !== undefined);
      if (fills.length > 0) pending = Promise.all(fills);
    }
    return pending === undefined ? run() : pending.then(run);
  }

  #entry(value: V, options: FreshnessOptions<V> & { readonly tags?: readonly string[] } | undefined): CacheEntry<V> {
    const o = this.#o;
    const ttlOption = options?.ttl ?? o.ttl;
    let ttl = typeof ttlOption === 'function' ? ttlOption(value) : ttlOption;
    // A TTL function returning nonsense must not poison the cache: NaN or negative means "do not keep fresh".
    if (!(ttl >= 0)) ttl = 0;
    const tags = options?.tags;
    if (ttl === Infinity) return tags === undefined ? { value, freshUntil: Infinity, staleUntil: Infinity } : { value, freshUntil: Infinity, staleUntil: Infinity, tags };
    const freshUntil = o.clock.epochNow() + ttl;
    const staleUntil = freshUntil + Math.max(options?.staleWhileRevalidate ?? o.staleWhileRevalidate, options?.grace ?? o.grace);
    return tags === undefined ? { value, freshUntil, staleUntil } : { value, freshUntil, staleUntil, tags };
  }

  async #setThrough(key: string, value: V, options: SetOptions<V> | undefined): Promise<void> {
    const signal = options?.signal;
    const seq = ++this.#writeSeq;
    const writing = this.#writing.get(key);
    if (writing === undefined) this.#writing.set(key, { latest: seq, active: 1 });
    else {
      writing.latest = seq;
      writing.active++;
    }
    this.#invalidateFlight(key);
    try {
      await raceAbort(this.#o.writeThrough!.write(key, value, { signal }), signal);
    } catch (error) {
      // The source may or may not hold the new value now (a timeout can land late): the only
      // answer the cache can vouch for is none, so the key is evicted and the next read reloads.
      this.#settleWrite(key);
      await this.#evict([key]);
      throw error;
    }
    // A newer set for this key started meanwhile: its outcome decides; ours must not overwrite it.
    if (this.#settleWrite(key) !== seq) return;
    this.#invalidateFlight(key);
    await this.#fill(key, value, options);
  }

  /** Ends one write-through on `key`; returns the sequence number of the latest one started. */
  #settleWrite(key: string): number {
    const writing = this.#writing.get(key)!;
    if (--writing.active === 0) this.#writing.delete(key);
    return writing.latest;
  }

  /** Not async: a write-behind set without L2 or bus allocates no promise of its own. */
  #setBehind(key: string, value: V, options: SetOptions<V> | undefined, reserved: boolean): Promise<void> {
    let entry: CacheEntry<V>;
    try {
      entry = this.#entry(value, options);
    } catch (error) {
      // Not accepted: a TTL function threw before the write was queued.
      if (reserved) this.#writer!.release();
      return Promise.reject(error);
    }
    // Accepted from here on: the queue holds it, and close() will drain it.
    this.#writer!.enqueue(key, value, reserved);
    this.#invalidateFlight(key);
    this.#l1.set(key, entry);
    if (this.#remote === undefined && this.#o.bus === undefined) return resolved;
    const remote = this.#remote;
    return Promise.all([remote && this.#afterFills(key, () => remote.set(key, entry)), this.#publish({ kind: 'keys', keys: [this.#qualify(key)] })]).then(noop);
  }

  // ---- invalidation --------------------------------------------------------------------------

  async #evict(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      this.#invalidateFlight(key);
      this.#l1.delete(key);
    }
    if (keys.length === 0) return;
    const remote = this.#remote;
    await Promise.all([remote && this.#afterFills(keys, () => remote.delete(keys)), this.#publish({ kind: 'keys', keys: keys.map((key) => this.#qualify(key)) })]);
  }

  #invalidateFlight(key: string): void {
    this.#mutations++;
    const flight = this.#flights.get(key);
    if (flight === undefined) return;
    flight.invalidated = true;
    this.#flights.delete(key);
  }

  /** O(L1 size): L1 keeps no tag index, since it is bounded and tag deletes are rare next to reads. */
  #dropTagsLocally(tags: readonly string[]): void {
    this.#mutations++;
    for (const [key, flight] of this.#flights) {
      if (flight.tags?.some((tag) => tags.includes(tag))) this.#invalidateFlight(key);
    }
    for (const [key, entry] of this.#l1.entries()) {
      if (entry.tags?.some((tag) => tags.includes(tag))) this.#l1.delete(key);
    }
  }

  #dropPrefixLocally(prefix: string): void {
    this.#mutations++;
    for (const key of this.#flights.keys()) if (key.startsWith(prefix)) this.#invalidateFlight(key);
    for (const key of this.#l1.keys()) if (key.startsWith(prefix)) this.#l1.delete(key);
  }

  #onRemoteInvalidation(message: InvalidationMessage): void {
    if (this.#closed) return;
    switch (message.kind) {
      case 'keys':
        for (const qualified of message.keys) {
          const key = this.#unqualify(qualified);
          if (key === undefined) continue;
          this.#invalidateFlight(key);
          this.#l1.delete(key);
        }
        return;
      case 'tags': {
        const tags: string[] = [];
        for (const qualified of message.tags) {
          const tag = this.#unqualify(qualified);
          if (tag !== undefined) tags.push(tag);
        }
        if (tags.length > 0) this.#dropTagsLocally(tags);
        return;
      }
      case 'prefix': {
        const prefix = this.#unqualify(message.prefix);
        if (prefix !== undefined) this.#dropPrefixLocally(prefix);
        return;
      }
      case 'all':
        // The bus may have missed messages (its subscriber reconnected): any entry may be stale.
        this.clearLocal();
        return;
    }
  }

  async #publish(message: InvalidationMessage): Promise<void> {
    const bus = this.#o.bus;
    if (bus === undefined) return;
    try {
      await bus.publish(message);
    } catch (error) {
      this.#onL2Error.emit({ cache: this.name, operation: 'publish', error });
    }
  }

  /** Namespaces a key, a key prefix or a tag for L2 and the bus. */
  #qualify(key: string): string {
    return this.#o.namespace === '' ? key : `${this.#o.namespace}:${key}`;
  }

  /** The local key (or prefix, or tag) of a namespaced one from the bus, or undefined when it belongs to another namespace. */
  #unqualify(qualified: string): string | undefined {
    const namespace = this.#o.namespace;
    if (namespace === '') return qualified;
    const prefix = `${namespace}:`;
    return qualified.startsWith(prefix) ? qualified.slice(prefix.length) : undefined;
  }
}

/**
 * Creates a cache: L1 in process, L2 and cross-instance invalidation when given, and an optional
 * write mode (`writeThrough` or `writeBehind`) for `set()`.
 */
export function createCache<V = unknown>(options?: CacheOptions<V>): Cache<V> {
  return new Cache<V>(options);
}
