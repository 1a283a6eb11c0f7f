import { parseCacheControl } from './cache-control.ts';
import { ageSeconds, freshnessLifetimeMs } from './freshness.ts';
import { findHeader, headerText, type HeaderMap } from './headers.ts';
import { varyNames } from './vary.ts';

/**
 * The statuses RFC 9110 §15.1 calls heuristically cacheable: the only ones we store, and only
 * with explicit freshness (or the `defaultTtlMs` you set), never with a guessed lifetime.
 */
export const CACHEABLE_STATUSES: ReadonlySet<number> = new Set([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501]);

/** Why a response was not stored. */
export type NotStoredReason =
  /** Its status is not one of {@link CACHEABLE_STATUSES}. */
  | 'status'
  /** `Cache-Control: no-store`. */
  | 'no-store'
  /** `Cache-Control: no-cache` (we do not revalidate, so it could never be served). */
  | 'no-cache'
  /** `Cache-Control: private`: meant for one user's cache, never a shared one. */
  | 'private'
  /** It sets a cookie: replaying it would hand one client's session to others. */
  | 'set-cookie'
  /** `Vary: *`: no later request can be shown to match. */
  | 'vary-star'
  /** A response to a request with `Authorization` without `public`, `s-maxage` or `must-revalidate` (RFC 9111 §3.5). */
  | 'authorization'
  /** No `s-maxage`, `max-age` or `Expires`, and no `defaultTtlMs`. */
  | 'no-freshness'
  /** Its freshness lifetime is used up already (`max-age=0`, a past `Expires`, an `Age` as old). */
  | 'stale'
  /** Its body is larger than `maxBodyBytes`. */
  | 'too-large';

export type StorageDecision =
  | {
      readonly store: true;
      /** How much longer it stays fresh, in ms (> 0): the entry's TTL. */
      readonly ttlMs: number;
      /** Its `Age` when stored, in seconds (from an upstream cache; usually 0). */
      readonly ageSeconds: number;
      /** The request headers it varies on (sorted, lower case; empty for none). */
      readonly vary: readonly string[];
    }
  | { readonly store: false; readonly reason: NotStoredReason };

export interface ResponseFacts {
  readonly status: number;
  readonly headers: HeaderMap;
  readonly bodyBytes: number;
}

export interface StoragePolicy {
  /** The request carried `Authorization` (and such requests may share): RFC 9111 §3.5 applies. */
  readonly authorized: boolean;
  readonly defaultTtlMs: number | undefined;
  readonly maxBodyBytes: number;
}

/**
 * Whether a response to a GET may go into the shared cache, and for how long (RFC 9111 §3 as a
 * shared cache that never revalidates). Pure: the request side (method, credentials, request
 * `no-store`) is decided before the handler runs.
 */
export function decideStorage(response: ResponseFacts, policy: StoragePolicy, now: number): StorageDecision {
  if (!CACHEABLE_STATUSES.has(response.status)) return { store: false, reason: 'status' };
  const headers = response.headers;
  const cacheControl = parseCacheControl(findHeader(headers, 'cache-control'));
  if (cacheControl.has('no-store')) return { store: false, reason: 'no-store' };
  if (cacheControl.has('no-cache')) return { store: false, reason: 'no-cache' };
  if (cacheControl.has('private')) return { store: false, reason: 'private' };
  if (findHeader(headers, 'set-cookie') !== undefined) return { store: false, reason: 'set-cookie' };
  const vary = varyNames(headerText(findHeader(headers, 'vary')));
  if (vary === '*') return { store: false, reason: 'vary-star' };
  if (policy.authorized && !cacheControl.has('public') && !cacheControl.has('s-maxage') && !cacheControl.has('must-revalidate')) {
    return { store: false, reason: 'authorization' };
  }
  const lifetime = freshnessLifetimeMs(cacheControl, headers, now) ?? policy.defaultTtlMs;
  if (lifetime === undefined) return { store: false, reason: 'no-freshness' };
  const age = ageSeconds(headers);
  const ttlMs = lifetime - age * 1000;
  if (!(ttlMs > 0)) return { store: false, reason: 'stale' };
  if (response.bodyBytes > policy.maxBodyBytes) return { store: false, reason: 'too-large' };
  return { store: true, ttlMs, ageSeconds: age, vary };
}
