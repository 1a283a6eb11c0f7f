import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from 'breakwater-test-utils';
import { createCache, HttpResponseCache, planRequest, type Cache, type CapturedResponse, type HeaderMap } from '../src/index.ts';

interface FakeRequest {
  readonly url: string;
  readonly headers: HeaderMap;
}

const sharing = { shareAuthorizationRequests: false, shareCookieRequests: false };
const response = (headers: HeaderMap, body = 'hello', status = 200): CapturedResponse => ({ status, headers, body: Buffer.from(body) });

describe('HttpResponseCache', () => {
  let cache: Cache | undefined;
  afterEach(async () => {
    await cache?.close();
    cache = undefined;
  });

  const setup = () => {
    const time = manualClock();
    cache = createCache({ name: 'http', clock: time.clock, staleWhileRevalidate: 60_000, grace: 60_000 });
    const engine = new HttpResponseCache<FakeRequest>('test', { cache, clock: time.clock }, (request) => request.url);
    return { engine, time, cache };
  };

  it('stores a response and finds it at once (L1 is written before store() returns)', async () => {
    const { engine } = setup();
    const plan = planRequest('GET', {}, sharing);
    const result = engine.store({ key: '/a', plan, requestHeaders: {}, presetHeaders: {}, response: response({ 'cache-control': 'max-age=10', 'content-type': 'text/plain' }) });
    expect(result.stored).toBe(true);
    const hit = await engine.lookup('/a', {}, false);
    expect(hit?.body.toString()).toBe('hello');
    expect(hit?.headers).toMatchObject({ 'content-type': 'text/plain', age: '0', 'x-cache': 'HIT' });
  });

  it('stores a response fresh for longer than a timer can run (max-age of a year), kept for the longest TTL the cache takes', async () => {
    const { engine, time } = setup();
    const plan = planRequest('GET', {}, sharing);
    const result = engine.store({ key: '/asset.js', plan, requestHeaders: {}, presetHeaders: {}, response: response({ 'cache-control': 'public, max-age=31536000, immutable' }) });
    expect(result.stored).toBe(true);
    if (result.stored) await result.written;
    time.advance(24 * 86_400_000);
    expect((await engine.lookup('/asset.js', {}, false))?.headers).toMatchObject({ age: String(24 * 86_400) });
  });

  it('never serves a response past its freshness, whatever stale windows the cache has', async () => {
    const { engine, time } = setup();
    const plan = planRequest('GET', {}, sharing);
    engine.store({ key: '/a', plan, requestHeaders: {}, presetHeaders: {}, response: response({ 'cache-control': 'max-age=10' }) });
    time.advance(9_999);
    expect(await engine.lookup('/a', {}, false)).toBeDefined();
    time.advance(1);
    expect(await engine.lookup('/a', {}, false)).toBeUndefined();
  });

  it('serves a stored entry only while its own expiresAt says so (a shared L2 may hold it longer)', async () => {
    const { engine, cache, time } = setup();
    await cache.set('/old', { kind: 'response', status: 200, headers: {}, body: '', storedAt: 0, ageSeconds: 0, expiresAt: 5_000 }, { ttl: Infinity });
    expect(await engine.lookup('/old', {}, false)).toBeDefined();
    time.advance(5_000);
    expect(await engine.lookup('/old', {}, false)).toBeUndefined();
  });

  it('puts a Vary index at the primary key and each variant under its own key', async () => {
    const { engine, cache } = setup();
    const plan = planRequest('GET', {}, sharing);
    const store = (lang: string) =>
      engine.store({ key: '/v', plan, requestHeaders: { 'accept-language': lang }, presetHeaders: {}, response: response({ 'cache-control': 'max-age=10', vary: 'Accept-Language' }, lang) });
    store('en');
    store('de');
    expect(await cache.get('/v')).toEqual({ kind: 'vary', names: ['accept-language'], expiresAt: 10_000 });
    expect((await engine.lookup('/v', { 'accept-language': 'en' }, false))?.body.toString()).toBe('en');
    expect((await engine.lookup('/v', { 'accept-language': 'de' }, false))?.body.toString()).toBe('de');
    expect(await engine.lookup('/v', { 'accept-language': 'fr' }, false)).toBeUndefined();
    expect(await engine.lookup('/v', {}, false)).toBeUndefined();
  });

  it('reports why it did not store, and writes nothing then', async () => {
    const { engine, cache } = setup();
    const plan = planRequest('GET', {}, sharing);
    expect(engine.store({ key: '/p', plan, requestHeaders: {}, presetHeaders: {}, response: response({ 'cache-control': 'private, max-age=10' }) })).toEqual({ stored: false, reason: 'private' });
    expect(cache.size).toBe(0);
    expect(() => engine.store({ key: '/h', plan: planRequest('HEAD', {}, sharing), requestHeaders: {}, presetHeaders: {}, response: response({}) })).toThrow(/forbids storing/);
  });

  it('treats what it did not write as a miss', async () => {
    const { engine, cache } = setup();
    await cache.set('/junk', { some: 'thing' });
    await cache.set('/vary-junk', { kind: 'vary', names: ['a'], expiresAt: 10 });
    await cache.set('/vary-junk vary:x', 'nope');
    expect(await engine.lookup('/junk', {}, false)).toBeUndefined();
    expect(await engine.lookup('/vary-junk', {}, false)).toBeUndefined();
  });

  it('lines misses up per key: one leader, waiters released by done() or by coalesceWaitMs, no timer left', async () => {
    const time = manualClock();
    cache = createCache({ name: 'http', clock: time.clock });
    const engine = new HttpResponseCache<FakeRequest>('test', { cache, clock: time.clock, coalesceMisses: true, coalesceWaitMs: 1_000 }, (request) => request.url);
    const leader = engine.enterMiss('/a');
    const other = engine.enterMiss('/b');
    const waiter = engine.enterMiss('/a');
    expect([leader.leader, other.leader, waiter.leader]).toEqual([true, true, false]);
    expect(engine.runningMisses).toBe(2);
    let released = false;
    void (waiter as { wait: Promise<void> }).wait.then(() => (released = true));
    expect(time.pending).toBe(1);
    if (leader.leader) {
      leader.done();
      leader.done();
    }
    await Promise.resolve();
    await Promise.resolve();
    expect(released).toBe(true);
    expect(time.pending).toBe(0);
    expect(engine.runningMisses).toBe(1);
    // The next miss of /a leads again; a waiter on /b is released by the bound.
    expect(engine.enterMiss('/a').leader).toBe(true);
    const late = engine.enterMiss('/b') as { leader: false; wait: Promise<void> };
    let timedOut = false;
    void late.wait.then(() => (timedOut = true));
    time.advance(999);
    await Promise.resolve();
    expect(timedOut).toBe(false);
    time.advance(1);
    await late.wait;
    expect(time.pending).toBe(0);
  });

  it('requires the key function to return a string', () => {
    const { cache } = setup();
    const engine = new HttpResponseCache<FakeRequest>('test', { cache, key: () => 42 as unknown as string }, (request) => request.url);
    expect(() => engine.keyOf({ url: '/', headers: {} })).toThrow(/must return a string, got number/);
  });
});
