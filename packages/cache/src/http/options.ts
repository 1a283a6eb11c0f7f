import { assertBoolean, assertDuration, assertFunction, assertInteger, assertKnownOptions, assertMethods, describeValue, invalidOption, isHttpToken, MAX_TIMER_MS, systemClock, withDefaults, type Clock } from '@breakwater/core';
import type { ResponseCacheEntry } from './stored-response.ts';

/**
 * Where responses are kept: a `Cache` from `createCache()` (any `V`: the response cache writes
 * {@link ResponseCacheEntry} values). Give it a cache of its own (its keys are URLs); its L2 and
 * invalidation bus share responses across instances.
 */
export interface ResponseCacheStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: ResponseCacheEntry, options: { readonly ttl: number; readonly staleWhileRevalidate: number; readonly grace: number }): Promise<void>;
}

/** Options of `responseCache()` (Express) and `breakwaterResponseCache` (Fastify); `Req` is the framework's request. */
export interface ResponseCacheOptions<Req = unknown> {
  /** The cache responses live in: `createCache()`, with a Redis `l2` to share them across instances. Required. */
  readonly cache: ResponseCacheStore;
  /**
   * The cache key of a request; GET and HEAD share it. Vary adds to it (see the README).
   * @default the `Host` header (lower-cased) + the path and query as received, e.g. `api.example.com/items?page=2`
   */
  readonly key?: (request: Req) => string;
  /**
   * Freshness (ms) for a storable response with no explicit freshness (no `s-maxage`, `max-age`
   * or `Expires`). Without it, such responses are not stored: we never guess a lifetime.
   * @default undefined (not stored)
   */
  readonly defaultTtlMs?: number;
  /** The largest body stored, in bytes (0–536870912); a larger response is sent but not stored. @default 1_048_576 (1 MiB) */
  readonly maxBodyBytes?: number;
  /**
   * Serve and store responses to requests carrying `Authorization`. Even then, such a response
   * is stored only when it says `public`, `s-maxage` or `must-revalidate` (RFC 9111 §3.5).
   * @default false (such requests bypass the cache)
   */
  readonly shareAuthorizationRequests?: boolean;
  /**
   * Serve and store responses to requests carrying `Cookie` (a response that sets one is still
   * never stored). Turn it on only when the cached routes do not personalise by cookie, or say
   * `Vary: Cookie`. @default false (such requests bypass the cache)
   */
  readonly shareCookieRequests?: boolean;
  /**
   * The response header telling how the cache answered: `HIT` (served from the cache), `MISS`
   * (looked up, not found: the handler answered) or `BYPASS` (not looked up: credentials, a
   * `no-cache`/`no-store` request, a `Range`). `false` for none.
   * @default 'x-cache'
   */
  readonly statusHeader?: string | false;
  /**
   * Concurrent misses for one key in this process wait for the first one's handler to finish,
   * then look again: one handler run fills the cache for all of them. A waiter never receives
   * the first response directly, only what was stored, so a response that may not be shared
   * (`Set-Cookie`, `private`, …) is never handed to it: it then runs its own handler, after the
   * wait. Turn it on for routes whose responses are cacheable: on the others it adds the first
   * handler's time to every concurrent request. Per process: other instances do not wait.
   * @default false
   */
  readonly coalesceMisses?: boolean;
  /** With `coalesceMisses`: how long a waiter waits for the first handler at most, in ms (1–2147483647); then it runs its own. @default 10_000 */
  readonly coalesceWaitMs?: number;
  /** Time source for expiry and `Age` (`epochNow()`) and the coalescing wait; pass the cache's clock. @default systemClock */
  readonly clock?: Clock;
}

export interface ResolvedResponseCache<Req> {
  readonly cache: ResponseCacheStore;
  readonly key: ((request: Req) => string) | undefined;
  readonly defaultTtlMs: number | undefined;
  readonly maxBodyBytes: number;
  readonly shareAuthorizationRequests: boolean;
  readonly shareCookieRequests: boolean;
  /** Lower case, or `undefined` for none. */
  readonly statusHeader: string | undefined;
  readonly coalesceMisses: boolean;
  readonly coalesceWaitMs: number;
  readonly clock: Clock;
}

const DEFAULTS = {
  maxBodyBytes: 1_048_576,
  shareAuthorizationRequests: false,
  shareCookieRequests: false,
  statusHeader: 'x-cache' as string | false,
  coalesceMisses: false,
  coalesceWaitMs: 10_000,
  clock: systemClock,
};
const KNOWN = ['cache', 'key', 'defaultTtlMs', 'maxBodyBytes', 'shareAuthorizationRequests', 'shareCookieRequests', 'statusHeader', 'coalesceMisses', 'coalesceWaitMs', 'clock'] as const;
const MAX_BODY_BYTES = 536_870_912;

/** Checks a `defaultTtlMs` (also a Fastify route's own); `name` is the option as the user wrote it. */
export function assertDefaultTtl(name: string, value: unknown): asserts value is number | undefined {
  if (value !== undefined) assertDuration(name, value, { min: 1 });
}

/** Checks the adapter options once, at construction; `factory` names the adapter in errors. */
export function resolveResponseCache<Req>(factory: string, options: ResponseCacheOptions<Req>): ResolvedResponseCache<Req> {
  if (options === null || typeof options !== 'object') throw invalidOption(`Expected the options of ${factory} to be an object with a \`cache\`, got ${describeValue(options)}`);
  const config = withDefaults(factory, DEFAULTS, options);
  assertKnownOptions(factory, config, KNOWN);
  assertMethods('cache', config.cache, ['get', 'set']);
  if (config.key !== undefined) assertFunction('key', config.key);
  assertDefaultTtl('defaultTtlMs', config.defaultTtlMs);
  assertInteger('maxBodyBytes', config.maxBodyBytes, { min: 0, max: MAX_BODY_BYTES });
  assertBoolean('shareAuthorizationRequests', config.shareAuthorizationRequests);
  assertBoolean('shareCookieRequests', config.shareCookieRequests);
  const statusHeader = config.statusHeader;
  if (statusHeader !== false && (typeof statusHeader !== 'string' || !isHttpToken(statusHeader))) {
    throw invalidOption(`Expected \`statusHeader\` to be false or a header name (letters, digits and !#$%&'*+-.^_\`|~), got ${describeValue(statusHeader)}`);
  }
  assertBoolean('coalesceMisses', config.coalesceMisses);
  assertDuration('coalesceWaitMs', config.coalesceWaitMs, { min: 1, max: MAX_TIMER_MS });
  assertMethods('clock', config.clock, ['epochNow', 'setTimeout', 'clearTimeout']);
  return {
    cache: config.cache,
    key: config.key,
    defaultTtlMs: config.defaultTtlMs,
    maxBodyBytes: config.maxBodyBytes,
    shareAuthorizationRequests: config.shareAuthorizationRequests,
    shareCookieRequests: config.shareCookieRequests,
    statusHeader: statusHeader === false ? undefined : statusHeader.toLowerCase(),
    coalesceMisses: config.coalesceMisses,
    coalesceWaitMs: config.coalesceWaitMs,
    clock: config.clock,
  };
}
