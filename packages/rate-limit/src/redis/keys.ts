import { createHash } from 'node:crypto';
import type { AlgorithmName } from '../algorithms/algorithm.ts';
import type { LimitDescription } from '../types.ts';

/** What names a limiter's state in Redis: a `RateLimiter` has all three. */
export interface RedisKeyLimiter {
  readonly name: string;
  readonly algorithm: AlgorithmName;
  readonly limits: readonly LimitDescription[];
}

/** User keys made only of these characters (and not too long) are used as they are. */
const PLAIN = /^[A-Za-z0-9._:@/+=-]{1,200}$/;
const MAX_ENCODED = 200;

/**
 * Turns a user key into the part of a Redis key inside our `{hash tag}`: characters outside a
 * safe set are percent-encoded (so `{`, `}`, `*`, spaces and CR/LF never reach Redis raw, and the
 * tag can never be closed early or opened twice); keys that would encode to more than 200
 * characters (or hold lone surrogates) become `#` + the base64url SHA-256 of their UTF-16 code
 * units. `%` and `#` are escaped in plain keys, so the three forms never collide.
 */
export function encodeKeyPart(key: string): string {
  if (PLAIN.test(key)) return key;
  if (key.length === 0) return '%';
  if (key.length <= MAX_ENCODED) {
    const encoded = percentEncode(key);
    if (encoded !== undefined && encoded.length <= MAX_ENCODED) return encoded;
  }
  return `#${createHash('sha256').update(Buffer.from(key, 'utf16le')).digest('base64url')}`;
}

/**
 * 12 hex digits (48 bits) of the SHA-256 of the algorithm and every limit's name, quota and
 * window, in order. Limiters share state only when the name *and* all of these match: two
 * limiters left at the default name with different limits (say 1,000 per minute and 5 per
 * minute) would otherwise read and charge one another's counts, since the scripts store no
 * quota or window. Stable across versions and processes (it names the state of a running fleet);
 * changing a limit moves its limiter to fresh keys, and the old ones expire by their TTL.
 */
export function limitsHash(algorithm: AlgorithmName, limits: readonly LimitDescription[]): string {
  const canonical = JSON.stringify([algorithm, ...limits.map((l) => [l.name, l.quota, l.windowMs])]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}

/**
 * Everything of a limiter's Redis keys before the hash tag: `<prefix><limiter>:<limitsHash>:`.
 * Computed once per limiter; only the user key changes per decision.
 */
export function redisKeyHead(prefix: string, limiter: RedisKeyLimiter): string {
  return `${prefix}${limiter.name}:${limitsHash(limiter.algorithm, limiter.limits)}:`;
}

/**
 * `<prefix><limiter>:<limitsHash>:{<encoded key>}`, the key holding `limiter`'s state for `key`
 * (pass the `RateLimiter`): the prefix first (ACLs and SCAN by prefix work), the hash tag last,
 * so on Redis Cluster the slot depends on the user key only, and all state of one decision (one
 * key) lives in one slot. Neither the prefix, the name nor the hash can hold `{` or `}`.
 */
export function redisKey(prefix: string, limiter: RedisKeyLimiter, key: string): string {
  return `${redisKeyHead(prefix, limiter)}{${encodeKeyPart(key)}}`;
}

/** encodeURIComponent plus the characters it leaves alone (`*` is a glob in KEYS and SCAN). */
function percentEncode(key: string): string | undefined {
  try {
    return encodeURIComponent(key).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  } catch {
    // A lone surrogate (URIError): hashed instead.
    return undefined;
  }
}
