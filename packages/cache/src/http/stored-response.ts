/** A response as the cache stores it: JSON-safe (the body as base64), so it crosses any serializer and the Redis L2. */
export interface CachedResponse {
  readonly kind: 'response';
  readonly status: number;
  /** Lower-case names; no hop-by-hop headers, `Content-Length`, `Date`, `Age` or `Set-Cookie`. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  /** The body bytes, base64. */
  readonly body: string;
  /** When it was stored (epoch ms, the clock's `epochNow()`). */
  readonly storedAt: number;
  /** Its `Age` when stored, in seconds. */
  readonly ageSeconds: number;
  /** When it stops being fresh (epoch ms); never served after. */
  readonly expiresAt: number;
}

/**
 * What the primary key holds when the response varies (`Vary`): the request headers that pick a
 * variant. Each variant lives under `variantKey(primaryKey, names, requestHeaders)`.
 */
export interface VaryIndex {
  readonly kind: 'vary';
  readonly names: readonly string[];
  readonly expiresAt: number;
}

/** A value the response cache writes to its `Cache`. */
export type ResponseCacheEntry = CachedResponse | VaryIndex;

/** A stored response ready to write to a client. */
export interface CacheHit {
  readonly status: number;
  /** The stored headers plus `Age`, `Content-Length` (unless 204) and the status header. */
  readonly headers: Record<string, string | string[]>;
  /** The body bytes; empty for a HEAD (its `Content-Length` still says the GET's length). */
  readonly body: Buffer;
}

/** Checks a value read back from the cache (an L2 shared with other code may hold anything). */
export function isCachedResponse(value: unknown): value is CachedResponse {
  if (value === null || typeof value !== 'object') return false;
  const entry = value as Record<string, unknown>;
  return (
    entry['kind'] === 'response' &&
    typeof entry['status'] === 'number' &&
    Number.isInteger(entry['status']) &&
    typeof entry['body'] === 'string' &&
    typeof entry['storedAt'] === 'number' &&
    typeof entry['ageSeconds'] === 'number' &&
    typeof entry['expiresAt'] === 'number' &&
    isHeaderRecord(entry['headers'])
  );
}

export function isVaryIndex(value: unknown): value is VaryIndex {
  if (value === null || typeof value !== 'object') return false;
  const entry = value as Record<string, unknown>;
  const names = entry['names'];
  return entry['kind'] === 'vary' && typeof entry['expiresAt'] === 'number' && Array.isArray(names) && names.every((name) => typeof name === 'string');
}

function isHeaderRecord(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  for (const item of Object.values(value)) {
    if (typeof item === 'string') continue;
    if (!Array.isArray(item) || !item.every((line) => typeof line === 'string')) return false;
  }
  return true;
}

/**
 * The response to send for a hit. `Age` is the stored age plus the whole seconds since it was
 * stored (RFC 9111 §4.2.3, with our own clock as the only one that matters).
 */
export function toCacheHit(stored: CachedResponse, head: boolean, now: number, statusHeader: string | undefined): CacheHit {
  const body = Buffer.from(stored.body, 'base64');
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(stored.headers)) headers[name] = typeof value === 'string' ? value : [...value];
  headers['age'] = String(stored.ageSeconds + Math.max(0, Math.floor((now - stored.storedAt) / 1000)));
  if (stored.status !== 204) headers['content-length'] = String(body.length);
  if (statusHeader !== undefined) headers[statusHeader] = 'HIT';
  return { status: stored.status, headers, body: head ? Buffer.alloc(0) : body };
}
