import { describe, expect, it } from 'vitest';
import {
  ageSeconds,
  CACHEABLE_STATUSES,
  decideStorage,
  freshnessLifetimeMs,
  isCachedResponse,
  isVaryIndex,
  parseCacheControl,
  planRequest,
  storableHeaders,
  toCacheHit,
  variantKey,
  varyNames,
  type CachedResponse,
  type HeaderMap,
  type StoragePolicy,
} from '../src/index.ts';

const NOW = Date.UTC(2026, 0, 1);
const lifetime = (headers: HeaderMap) => freshnessLifetimeMs(parseCacheControl(headers['cache-control']), headers, NOW);
const policy: StoragePolicy = { authorized: false, defaultTtlMs: undefined, maxBodyBytes: 100 };
const decide = (headers: HeaderMap, extra: Partial<StoragePolicy> & { status?: number; bodyBytes?: number } = {}) =>
  decideStorage({ status: extra.status ?? 200, headers, bodyBytes: extra.bodyBytes ?? 10 }, { ...policy, ...extra }, NOW);

describe('freshnessLifetimeMs and ageSeconds', () => {
  it('takes s-maxage over max-age over Expires minus Date', () => {
    expect(lifetime({ 'cache-control': 'max-age=10, s-maxage=20', expires: new Date(NOW + 99_000).toUTCString() })).toBe(20_000);
    expect(lifetime({ 'cache-control': 'max-age=10', expires: new Date(NOW + 99_000).toUTCString() })).toBe(10_000);
    expect(lifetime({ expires: new Date(NOW + 99_000).toUTCString() })).toBe(99_000);
    expect(lifetime({ expires: new Date(NOW + 99_000).toUTCString(), date: new Date(NOW - 1_000).toUTCString() })).toBe(100_000);
  });

  it('has no lifetime without explicit freshness (no heuristics), and 0 for malformed or past ones', () => {
    expect(lifetime({})).toBeUndefined();
    expect(lifetime({ 'cache-control': 'public', 'last-modified': new Date(NOW - 86_400_000).toUTCString() })).toBeUndefined();
    expect(lifetime({ expires: '0' })).toBe(0);
    expect(lifetime({ expires: new Date(NOW - 5_000).toUTCString() })).toBe(0);
    expect(lifetime({ 'cache-control': 'max-age=soon' })).toBe(0);
    expect(lifetime({ 'cache-control': 's-maxage=-1, max-age=60' })).toBe(0);
  });

  it('reads Age as delta-seconds (first value), 0 when absent or malformed', () => {
    expect(ageSeconds({ age: '30' })).toBe(30);
    expect(ageSeconds({ age: 12 })).toBe(12);
    expect(ageSeconds({ age: '7, 9' })).toBe(7);
    expect(ageSeconds({ age: 'old' })).toBe(0);
    expect(ageSeconds({})).toBe(0);
  });
});

describe('decideStorage', () => {
  it('stores a fresh 200 for its remaining lifetime, with its Age and Vary', () => {
    expect(decide({ 'cache-control': 'max-age=60', age: '10', vary: 'Accept-Language, accept-encoding' })).toEqual({
      store: true,
      ttlMs: 50_000,
      ageSeconds: 10,
      vary: ['accept-encoding', 'accept-language'],
    });
  });

  it('refuses each unshareable response for its reason', () => {
    const cases: [HeaderMap, string][] = [
      [{ 'cache-control': 'no-store, max-age=60' }, 'no-store'],
      [{ 'cache-control': 'no-cache, max-age=60' }, 'no-cache'],
      [{ 'cache-control': 'no-cache="set-cookie", max-age=60' }, 'no-cache'],
      [{ 'cache-control': 'private, max-age=60' }, 'private'],
      [{ 'cache-control': 'PRIVATE="x", s-maxage=60' }, 'private'],
      [{ 'cache-control': 'public, max-age=60', 'set-cookie': ['a=1'] }, 'set-cookie'],
      [{ 'cache-control': 'public, max-age=60', 'Set-Cookie': 'a=1' }, 'set-cookie'],
      [{ 'cache-control': 'public, max-age=60', vary: 'origin, *' }, 'vary-star'],
      [{ 'cache-control': 'public' }, 'no-freshness'],
      [{ 'cache-control': 'max-age=0' }, 'stale'],
      [{ 'cache-control': 'max-age=60', age: '60' }, 'stale'],
    ];
    for (const [headers, reason] of cases) expect(decide(headers), JSON.stringify(headers)).toEqual({ store: false, reason });
    expect(decide({ 'cache-control': 'max-age=60' }, { bodyBytes: 101 })).toEqual({ store: false, reason: 'too-large' });
    expect(decide({ 'cache-control': 'max-age=60' }, { bodyBytes: 100 }).store).toBe(true);
  });

  it('stores only the heuristically cacheable statuses', () => {
    for (let status = 100; status < 600; status++) {
      expect(decide({ 'cache-control': 'max-age=60' }, { status }).store, String(status)).toBe(CACHEABLE_STATUSES.has(status));
    }
    expect([...CACHEABLE_STATUSES].sort((a, b) => a - b)).toEqual([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501]);
  });

  it('uses defaultTtlMs only without explicit freshness', () => {
    expect(decide({}, { defaultTtlMs: 5_000 })).toMatchObject({ store: true, ttlMs: 5_000 });
    expect(decide({ 'cache-control': 'max-age=1' }, { defaultTtlMs: 5_000 })).toMatchObject({ store: true, ttlMs: 1_000 });
    expect(decide({ 'cache-control': 'max-age=0' }, { defaultTtlMs: 5_000 })).toEqual({ store: false, reason: 'stale' });
    expect(decide({ 'cache-control': 'no-cache' }, { defaultTtlMs: 5_000 })).toEqual({ store: false, reason: 'no-cache' });
  });

  it('stores a response to Authorization only with public, s-maxage or must-revalidate (RFC 9111 §3.5)', () => {
    expect(decide({ 'cache-control': 'max-age=60' }, { authorized: true })).toEqual({ store: false, reason: 'authorization' });
    expect(decide({}, { authorized: true, defaultTtlMs: 1_000 })).toEqual({ store: false, reason: 'authorization' });
    for (const cc of ['public, max-age=60', 's-maxage=60', 'must-revalidate, max-age=60']) {
      expect(decide({ 'cache-control': cc }, { authorized: true }).store, cc).toBe(true);
    }
  });
});

describe('planRequest', () => {
  const closed = { shareAuthorizationRequests: false, shareCookieRequests: false };
  const open = { shareAuthorizationRequests: true, shareCookieRequests: true };

  it('ignores every method but GET and HEAD', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'get']) expect(planRequest(method, {}, closed)).toEqual({ action: 'ignore' });
  });

  it('looks GET and HEAD up; stores only GET', () => {
    expect(planRequest('GET', {}, closed)).toEqual({ action: 'lookup', store: true, head: false, authorized: false });
    expect(planRequest('HEAD', {}, closed)).toEqual({ action: 'lookup', store: false, head: true, authorized: false });
  });

  it('bypasses requests with credentials unless sharing them is allowed', () => {
    expect(planRequest('GET', { authorization: 'Bearer x' }, closed)).toMatchObject({ action: 'bypass', reason: 'authorization', store: false });
    expect(planRequest('GET', { cookie: 'a=1' }, closed)).toMatchObject({ action: 'bypass', reason: 'cookie', store: false });
    expect(planRequest('GET', { authorization: 'Bearer x', cookie: 'a=1' }, open)).toEqual({ action: 'lookup', store: true, head: false, authorized: true });
    expect(planRequest('GET', { cookie: 'a=1' }, { ...closed, shareCookieRequests: true })).toMatchObject({ action: 'lookup', authorized: false });
  });

  it('bypasses the lookup for request no-cache (still storing), no-store (not storing) and Range', () => {
    expect(planRequest('GET', { 'cache-control': 'no-cache' }, closed)).toMatchObject({ action: 'bypass', reason: 'request-cache-control', store: true });
    expect(planRequest('GET', { 'cache-control': 'max-age=0, no-store' }, closed)).toMatchObject({ action: 'bypass', reason: 'request-cache-control', store: false });
    expect(planRequest('GET', { range: 'bytes=0-10' }, closed)).toMatchObject({ action: 'bypass', reason: 'range', store: true });
    expect(planRequest('GET', { 'cache-control': 'max-age=0' }, closed)).toMatchObject({ action: 'lookup' });
  });
});

describe('Vary', () => {
  it('lists the names lower-cased, sorted and once, or * when any member is *', () => {
    expect(varyNames(undefined)).toEqual([]);
    expect(varyNames(' Accept-Language ,accept-encoding, ACCEPT-LANGUAGE,')).toEqual(['accept-encoding', 'accept-language']);
    expect(varyNames('accept, *')).toBe('*');
  });

  it('keys a variant by the trimmed values, telling an absent header from an empty one', () => {
    const key = (headers: HeaderMap) => variantKey('h/p', ['accept-language'], headers);
    expect(key({ 'accept-language': 'en' })).toBe(key({ 'accept-language': '  en ' }));
    expect(key({ 'accept-language': 'en' })).not.toBe(key({ 'accept-language': 'de' }));
    expect(key({})).not.toBe(key({ 'accept-language': '' }));
    expect(key({ 'accept-language': 'en' }).startsWith('h/p vary:')).toBe(true);
    // The names are part of the key: the same values under other names are another variant.
    expect(variantKey('h/p', ['a'], { a: 'x' })).not.toBe(variantKey('h/p', ['b'], { b: 'x' }));
  });
});

describe('stored responses', () => {
  it('keeps end-to-end headers only, and drops those set before the cache saw the request', () => {
    const headers = {
      'Content-Type': 'text/plain',
      connection: 'keep-alive, x-hop',
      'x-hop': '1',
      'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked',
      'content-length': 5,
      date: 'Thu, 01 Jan 2026 00:00:00 GMT',
      age: '3',
      'set-cookie': ['a=1'],
      'x-cache': 'MISS',
      'x-request-id': '7',
      vary: 'origin, accept',
      'x-list': ['a', 'b'],
      etag: '"v1"',
    };
    expect(storableHeaders(headers, 'x-cache', { 'x-request-id': '7', vary: 'origin' })).toEqual({
      'content-type': 'text/plain',
      vary: 'origin, accept',
      'x-list': ['a', 'b'],
      etag: '"v1"',
    });
  });

  it('builds a hit with Age, Content-Length and the status header, and no body for HEAD', () => {
    const stored: CachedResponse = { kind: 'response', status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from('hello').toString('base64'), storedAt: NOW, ageSeconds: 4, expiresAt: NOW + 60_000 };
    const hit = toCacheHit(stored, false, NOW + 10_999, 'x-cache');
    expect(hit).toEqual({ status: 200, headers: { 'content-type': 'text/plain', age: '14', 'content-length': '5', 'x-cache': 'HIT' }, body: Buffer.from('hello') });
    const head = toCacheHit(stored, true, NOW, undefined);
    expect(head.body.length).toBe(0);
    expect(head.headers).toEqual({ 'content-type': 'text/plain', age: '4', 'content-length': '5' });
    expect(toCacheHit({ ...stored, status: 204, body: '' }, false, NOW, undefined).headers['content-length']).toBeUndefined();
  });

  it('checks the shape of what comes back from a shared cache', () => {
    const good: CachedResponse = { kind: 'response', status: 200, headers: { a: 'b', c: ['d'] }, body: '', storedAt: 1, ageSeconds: 0, expiresAt: 2 };
    expect(isCachedResponse(good)).toBe(true);
    expect(isCachedResponse(JSON.parse(JSON.stringify(good)))).toBe(true);
    for (const bad of [null, 'x', { ...good, kind: 'vary' }, { ...good, status: 200.5 }, { ...good, body: 1 }, { ...good, headers: { a: 1 } }, { ...good, headers: [] }, { ...good, expiresAt: '2' }]) {
      expect(isCachedResponse(bad), JSON.stringify(bad)).toBe(false);
    }
    expect(isVaryIndex({ kind: 'vary', names: ['a'], expiresAt: 1 })).toBe(true);
    expect(isVaryIndex({ kind: 'vary', names: [1], expiresAt: 1 })).toBe(false);
    expect(isVaryIndex(good)).toBe(false);
  });
});
