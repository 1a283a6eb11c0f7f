import { MAX_TIMER_MS } from '@breakwater/core';
import { storableHeaders, type HeaderMap } from './headers.ts';
import { resolveResponseCache, type ResolvedResponseCache, type ResponseCacheOptions } from './options.ts';
import { planRequest, type RequestPlan } from './request-plan.ts';
import { decideStorage, type NotStoredReason } from './storability.ts';
import { isCachedResponse, isVaryIndex, toCacheHit, type CacheHit, type CachedResponse } from './stored-response.ts';
import { variantKey } from './vary.ts';

/** What {@link HttpResponseCache.store} needs to know about one response. */
export interface StoreInput {
  /** The request's primary key (from `keyOf`). */
  readonly key: string;
  readonly plan: RequestPlan;
  /** The request's headers (Node's map), for the `Vary` variant. */
  readonly requestHeaders: HeaderMap;
  /** The response's headers as they were when the cache looked the request up (see `storableHeaders`). */
  readonly presetHeaders: HeaderMap;
  readonly response: CapturedResponse;
  /** Overrides the options' `defaultTtlMs` (a Fastify route's own). */
  readonly defaultTtlMs?: number | undefined;
}

/** A finished response as an adapter captured it. */
export interface CapturedResponse {
  readonly status: number;
  /** As `res.getHeaders()` returns them (plus any given to `writeHead`). */
  readonly headers: HeaderMap;
  readonly body: Uint8Array;
}

export type StoreResult =
  /** `written` settles when the cache has it (L1 at once, L2 in the background); it never rejects. */
  | { readonly stored: true; readonly written: Promise<void> }
  | { readonly stored: false; readonly reason: NotStoredReason };

const noop = (): void => {};

/**
 * A miss's place in line (`coalesceMisses`): the first miss for a key leads (runs the handler and
 * calls `done()` once its response has ended or closed); later ones get `wait`, which settles
 * when the leader is done or after `coalesceWaitMs`, whichever is first, and then look again.
 */
export type MissTurn = { readonly leader: true; done(): void } | { readonly leader: false; readonly wait: Promise<void> };

/** The outcome of {@link HttpResponseCache.lookupOrLead}. */
export interface LookupOutcome {
  readonly hit: CacheHit | undefined;
  /** Set when this request leads a coalesced miss: call it once its response has ended or closed. */
  readonly done: (() => void) | undefined;
}

interface RunningMiss {
  readonly finished: Promise<void>;
}

/**
 * The framework-free HTTP response cache behind `responseCache()` (Express) and
 * `breakwaterResponseCache` (Fastify): RFC 9111 as a shared cache that stores only responses with
 * explicit freshness and never revalidates. An adapter asks {@link plan} before the handler,
 * looks the request up when told to ({@link lookupOrLead}, which also lines up concurrent misses
 * with `coalesceMisses`), and offers the finished response to {@link store}.
 *
 * The cache is an accelerator, never a gate: a lookup that fails (the cache closed) is a miss, and
 * a write that fails is skipped; L2 trouble is already a miss or a skipped write inside `Cache`
 * (and reported by its `onL2Error`).
 */
export class HttpResponseCache<Req> {
  readonly options: ResolvedResponseCache<Req>;
  readonly #defaultKey: (request: Req) => string;
  /** Misses whose handler runs now, by primary key (only with `coalesceMisses`). */
  readonly #misses = new Map<string, RunningMiss>();

  /** `defaultKey` is the adapter's host + path + query, used when the options give no `key`. */
  constructor(factory: string, options: ResponseCacheOptions<Req>, defaultKey: (request: Req) => string) {
    this.options = resolveResponseCache(factory, options);
    this.#defaultKey = defaultKey;
  }

  /** The status header (lower case), or `undefined` when turned off. */
  get statusHeader(): string | undefined {
    return this.options.statusHeader;
  }

  plan(method: string, headers: HeaderMap): RequestPlan {
    return planRequest(method, headers, this.options);
  }

  /** The request's primary key (may throw: it runs the user's `key` function). */
  keyOf(request: Req): string {
    const key = (this.options.key ?? this.#defaultKey)(request);
    if (typeof key !== 'string') throw new TypeError(`The response cache \`key\` function must return a string, got ${typeof key}`);
    return key;
  }

  /** The fresh stored response for this request, or `undefined`. Never rejects. */
  async lookup(key: string, requestHeaders: HeaderMap, head: boolean): Promise<CacheHit | undefined> {
    const { cache, clock, statusHeader } = this.options;
    try {
      let entry = await cache.get(key);
      if (isVaryIndex(entry)) {
        if (entry.expiresAt <= clock.epochNow()) return undefined;
        entry = await cache.get(variantKey(key, entry.names, requestHeaders));
      }
      if (!isCachedResponse(entry)) return undefined;
      const now = clock.epochNow();
      // The cache's own stale windows (staleWhileRevalidate, grace) must not serve a response
      // past the freshness its origin gave it.
      if (entry.expiresAt <= now) return undefined;
      return toCacheHit(entry, head, now, statusHeader);
    } catch {
      return undefined;
    }
  }

  /**
   * What an adapter does for a request whose plan says `lookup`: the hit, or a miss. With
   * `coalesceMisses`, a miss that may be stored either leads (`done` is set: call it when the
   * response has ended or closed) or waits for the leader and looks again.
   */
  async lookupOrLead(key: string, requestHeaders: HeaderMap, plan: RequestPlan, head: boolean): Promise<LookupOutcome> {
    const hit = await this.lookup(key, requestHeaders, head);
    if (hit !== undefined) return { hit, done: undefined };
    if (!this.options.coalesceMisses || plan.action === 'ignore' || !plan.store) return { hit: undefined, done: undefined };
    const turn = this.enterMiss(key);
    if (turn.leader) return { hit: undefined, done: turn.done };
    await turn.wait;
    // Not a leader after waiting: if nothing was stored, every waiter runs its own handler now.
    return { hit: await this.lookup(key, requestHeaders, head), done: undefined };
  }

  /**
   * Takes a place in line for a miss of `key` (see {@link MissTurn}); only with `coalesceMisses`.
   * A leader must call `done()` exactly when its response has ended or closed: every
   * `done()` after the first does nothing.
   */
  enterMiss(key: string): MissTurn {
    const running = this.#misses.get(key);
    if (running !== undefined) return { leader: false, wait: this.#bounded(running.finished) };
    let finish!: () => void;
    const miss: RunningMiss = { finished: new Promise<void>((resolve) => (finish = resolve)) };
    this.#misses.set(key, miss);
    return {
      leader: true,
      done: () => {
        if (this.#misses.get(key) === miss) this.#misses.delete(key);
        finish();
      },
    };
  }

  /** Misses in line right now (leaders), for tests and introspection. */
  get runningMisses(): number {
    return this.#misses.size;
  }

  #bounded(finished: Promise<void>): Promise<void> {
    const { clock, coalesceWaitMs } = this.options;
    return new Promise<void>((resolve) => {
      const timer = clock.setTimeout(resolve, coalesceWaitMs);
      void finished.then(() => {
        clock.clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Stores the response when it may be shared (see `decideStorage`), under the primary key or,
   * when it varies, under its variant's key with a `VaryIndex` at the primary key. The L1 write
   * happens before this returns, so the next request in this process finds it.
   */
  store(input: StoreInput): StoreResult {
    const { key, plan, requestHeaders, response } = input;
    const defaultTtlMs = input.defaultTtlMs ?? this.options.defaultTtlMs;
    if (plan.action === 'ignore' || !plan.store) throw new TypeError('store() called for a request whose plan forbids storing');
    const { cache, clock, maxBodyBytes, statusHeader } = this.options;
    const now = clock.epochNow();
    const decision = decideStorage({ status: response.status, headers: response.headers, bodyBytes: response.body.byteLength }, { authorized: plan.authorized, defaultTtlMs, maxBodyBytes }, now);
    if (!decision.store) return { stored: false, reason: decision.reason };
    const expiresAt = now + decision.ttlMs;
    const body = Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength);
    const entry: CachedResponse = {
      kind: 'response',
      status: response.status,
      headers: storableHeaders(response.headers, statusHeader, input.presetHeaders),
      body: body.toString('base64'),
      storedAt: now,
      ageSeconds: decision.ageSeconds,
      expiresAt,
    };
    // No stale windows: a response is served while fresh and never after. A lifetime longer than
    // the cache's longest TTL (a timer's, ~24.8 days; a year's max-age is common for assets) is
    // cut to it: the entry is dropped early and loaded again, never served past `expiresAt`.
    const ttl = { ttl: Math.min(decision.ttlMs, MAX_TIMER_MS), staleWhileRevalidate: 0, grace: 0 };
    const writes: Promise<void>[] = [];
    try {
      if (decision.vary.length === 0) writes.push(cache.set(key, entry, ttl));
      else {
        writes.push(cache.set(key, { kind: 'vary', names: decision.vary, expiresAt }, ttl));
        writes.push(cache.set(variantKey(key, decision.vary, requestHeaders), entry, ttl));
      }
    } catch {
      // A store whose set() throws synchronously: the response still goes out, unstored.
    }
    return { stored: true, written: Promise.all(writes).then(noop, noop) };
  }
}
