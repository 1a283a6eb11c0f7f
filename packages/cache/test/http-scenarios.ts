/**
 * One scenario table for HTTP response caching, run against Express
 * (packages/express/test/response-cache.test.ts) and Fastify
 * (packages/fastify/test/response-cache.test.ts): both adapters must store, serve and refuse the
 * same responses. Each framework's test starts an app with the routes described on
 * {@link StartCacheApp}.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { manualClock, startRedis, type Inbox, type RedisServer } from 'breakwater-test-utils';
import { createCache, type Cache, type RemoteTier, type ResponseCacheOptions } from '../src/index.ts';
import { redisTier } from '../src/redis/index.ts';

/** A request parked in `/r?gate=1` until the test lets it answer. */
export interface Gate {
  release(): void;
}

export interface CacheApp {
  readonly url: string;
  /** Handler runs by route name (`r`, `optout`), counted when the handler starts. */
  readonly calls: Record<string, number>;
  /** The path and query of every request, as it reaches the app (before the cache). */
  readonly arrivals: Inbox<string>;
  /** One per `/r?gate=1` request that reached its handler. */
  readonly gates: Inbox<Gate>;
  close(): Promise<void>;
}

/** The framework-independent options (no `key`: its argument is the framework's request). */
export type SharedOptions = Omit<ResponseCacheOptions, 'key'>;

/**
 * Starts the app under test on 127.0.0.1 with the response cache configured from `options` and:
 * - first, a middleware/hook on every request setting `x-request-id: <n>` (n counts requests)
 *   and pushing the path and query to `arrivals`;
 * - `GET`/`HEAD`/`POST /r` (`r`), the cache in front, answering by its query: status `status`
 *   (default 200), `cache-control: <cc>`, `vary: <vary>`, `expires: <expires>`, `age: <age>`,
 *   `set-cookie: s=1` when `cookie=1`, and `x-call: <call>`; the body is `size` bytes of `x`
 *   (text/plain) when `size` is given, the bytes 0–255 (application/octet-stream) when `bin=1`,
 *   else JSON `{ call, lang }` (`lang`: the request's Accept-Language, or null); with `gate=1`
 *   the handler first pushes a {@link Gate} and waits for its release;
 * - `GET /optout` (`optout`): like `/r` with `cache-control: public, max-age=60`, outside the
 *   cache (Express: not behind the middleware; Fastify: `config.breakwater.responseCache: false`).
 */
export type StartCacheApp = (options: SharedOptions) => Promise<CacheApp>;

/** Builds the adapter with `options` and resolves when it was accepted (rejects with the option error). */
export type BuildCacheAdapter = (options: unknown) => Promise<void>;

export interface Sent {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly json: unknown;
}

/** One request on its own connection; `headers` is a flat `[name, value, …]` list. */
export function send(url: string, path: string, options: { method?: string; headers?: string[] } = {}): Promise<Sent> {
  const list = options.headers ?? [];
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) headers[list[i]!] = list[i + 1]!;
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method: options.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const type = res.headers['content-type'] ?? '';
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: type.includes('json') && body.length > 0 ? (JSON.parse(body.toString('utf8')) as unknown) : undefined });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** `/r` with these query parameters (URL-encoded). */
export function r(query: Record<string, string | number> = {}): string {
  const search = new URLSearchParams(Object.entries(query).map(([name, value]): [string, string] => [name, String(value)])).toString();
  return search === '' ? '/r' : `/r?${search}`;
}

const cacheStatus = (sent: Sent): string | undefined => sent.headers['x-cache'] as string | undefined;

export function responseCacheScenarios(framework: string, start: StartCacheApp, build: BuildCacheAdapter): void {
  describe(`HTTP response caching (${framework})`, () => {
    let app: CacheApp | undefined;
    let cache: Cache | undefined;
    afterEach(async () => {
      await app?.close();
      await cache?.close();
      app = undefined;
      cache = undefined;
    });

    /** An app on a fresh in-memory cache; both share a manual clock (epoch 0 at the start). */
    const open = async (options: Omit<SharedOptions, 'cache' | 'clock'> = {}) => {
      const time = manualClock();
      cache = createCache({ name: 'http', clock: time.clock });
      app = await start({ cache, clock: time.clock, ...options });
      return { ...app, advance: (ms: number) => time.advance(ms) };
    };

    it('answers a miss from the handler (X-Cache: MISS), then serves the stored response (X-Cache: HIT, Age: 0) without running it', async () => {
      const { url, calls } = await open();
      const path = r({ cc: 'public, max-age=60' });
      const first = await send(url, path);
      expect(first.status).toBe(200);
      expect(cacheStatus(first)).toBe('MISS');
      expect(first.json).toEqual({ call: 1, lang: null });
      const second = await send(url, path);
      expect(second.status).toBe(200);
      expect(cacheStatus(second)).toBe('HIT');
      expect(second.body.equals(first.body)).toBe(true);
      expect(second.headers['age']).toBe('0');
      expect(second.headers['x-call']).toBe('1');
      expect(second.headers['content-type']).toBe(first.headers['content-type']);
      expect(second.headers['cache-control']).toBe('public, max-age=60');
      expect(second.headers['content-length']).toBe(String(first.body.length));
      expect(calls['r']).toBe(1);
      // Another URL (query included) is another entry.
      expect(cacheStatus(await send(url, r({ cc: 'public, max-age=60', other: 1 })))).toBe('MISS');
      expect(calls['r']).toBe(2);
    });

    it('counts Age up with the clock and stops serving the response when its max-age is used up', async () => {
      const { url, calls, advance } = await open();
      const path = r({ cc: 'max-age=60' });
      await send(url, path);
      advance(30_500);
      const aged = await send(url, path);
      expect(cacheStatus(aged)).toBe('HIT');
      expect(aged.headers['age']).toBe('30');
      advance(29_499);
      expect((await send(url, path)).headers['age']).toBe('59');
      advance(1);
      const expired = await send(url, path);
      expect(cacheStatus(expired)).toBe('MISS');
      expect(expired.json).toEqual({ call: 2, lang: null });
      expect(calls['r']).toBe(2);
    });

    it('takes s-maxage over max-age (it is a shared cache) and subtracts an upstream Age', async () => {
      const { url, calls, advance } = await open();
      const longShared = r({ cc: 'max-age=10, s-maxage=100' });
      const shortShared = r({ cc: 'max-age=100, s-maxage=10' });
      const upstreamAged = r({ cc: 'max-age=100', age: 90 });
      for (const path of [longShared, shortShared, upstreamAged]) await send(url, path);
      advance(50_000);
      expect(cacheStatus(await send(url, longShared))).toBe('HIT');
      expect(cacheStatus(await send(url, shortShared))).toBe('MISS');
      expect(cacheStatus(await send(url, upstreamAged))).toBe('MISS');
      expect(calls['r']).toBe(5);
    });

    it('uses Expires minus Date when there is no max-age, and starts Age from the upstream Age', async () => {
      const { url, advance } = await open();
      // The manual clock starts at the epoch: this Expires is two minutes later.
      const path = r({ expires: new Date(120_000).toUTCString(), age: 5 });
      await send(url, path);
      advance(100_000);
      const hit = await send(url, path);
      expect(cacheStatus(hit)).toBe('HIT');
      expect(hit.headers['age']).toBe('105');
      advance(15_000);
      expect(cacheStatus(await send(url, path))).toBe('MISS');
      expect(cacheStatus(await send(url, r({ expires: 'not a date' })))).toBe('MISS');
      expect(cacheStatus(await send(url, r({ expires: 'not a date' })))).toBe('MISS');
    });

    it('never stores responses with Set-Cookie, private, no-store, no-cache, Vary: *, or without explicit freshness', async () => {
      const { url, calls } = await open();
      const cases: Record<string, string | number>[] = [
        { cc: 'public, max-age=60', cookie: 1 },
        { cc: 'private, max-age=60' },
        { cc: 'private="x-call", max-age=60' },
        { cc: 'no-store, max-age=60' },
        { cc: 'no-cache, max-age=60' },
        { cc: 'public, s-maxage=60', vary: '*' },
        { cc: 'public, max-age=60', vary: 'Accept-Language, *' },
        { cc: 'public' },
        {},
        { cc: 'max-age=0' },
        { cc: 'max-age=60, max-age=120' },
      ];
      for (const query of cases) {
        const path = r(query);
        await send(url, path);
        const again = await send(url, path);
        expect(cacheStatus(again), JSON.stringify(query)).toBe('MISS');
        if (query['cookie'] !== undefined) {
          expect(again.headers['set-cookie']).toEqual(['s=1']);
        }
      }
      expect(calls['r']).toBe(cases.length * 2);
    });

    it('stores only the heuristically cacheable statuses (404 yes; 201, 302, 500 no)', async () => {
      const { url, calls } = await open();
      for (const [status, stored] of [
        [404, true],
        [410, true],
        [301, true],
        [201, false],
        [302, false],
        [500, false],
        [503, false],
      ] as const) {
        const path = r({ cc: 'public, max-age=60', status });
        const first = await send(url, path);
        expect(first.status).toBe(status);
        const again = await send(url, path);
        expect(again.status).toBe(status);
        expect(cacheStatus(again), String(status)).toBe(stored ? 'HIT' : 'MISS');
      }
      expect(calls['r']).toBe(3 + 4 * 2);
    });

    it('gives a response without explicit freshness the defaultTtlMs, and only then', async () => {
      const { url, advance } = await open({ defaultTtlMs: 10_000 });
      const path = r();
      await send(url, path);
      expect(cacheStatus(await send(url, path))).toBe('HIT');
      advance(10_000);
      expect(cacheStatus(await send(url, path))).toBe('MISS');
      // Explicit freshness wins over the default, also when it is shorter.
      await send(url, r({ cc: 'max-age=1' }));
      advance(1_000);
      expect(cacheStatus(await send(url, r({ cc: 'max-age=1' })))).toBe('MISS');
    });

    it('by default neither serves nor stores for requests with Authorization or Cookie (X-Cache: BYPASS)', async () => {
      const { url, calls } = await open();
      const path = r({ cc: 'public, max-age=60' });
      for (const credential of [
        ['authorization', 'Bearer alice'],
        ['cookie', 'session=alice'],
      ]) {
        const personal = await send(url, path, { headers: credential });
        expect(cacheStatus(personal)).toBe('BYPASS');
      }
      // Nothing was stored by those two.
      const anonymous = await send(url, path);
      expect(cacheStatus(anonymous)).toBe('MISS');
      expect(cacheStatus(await send(url, path))).toBe('HIT');
      // And what is stored is not served to them: their handler runs.
      for (const credential of [
        ['authorization', 'Bearer bob'],
        ['cookie', 'session=bob'],
      ]) {
        const personal = await send(url, path, { headers: credential });
        expect(cacheStatus(personal)).toBe('BYPASS');
        expect(personal.headers['x-call']).not.toBe(anonymous.headers['x-call']);
      }
      expect(calls['r']).toBe(5);
    });

    it('with shareAuthorizationRequests, stores a response to Authorization only with public, s-maxage or must-revalidate (RFC 9111 §3.5)', async () => {
      const { url, calls } = await open({ shareAuthorizationRequests: true });
      const auth = ['authorization', 'Bearer alice'];
      for (const [cc, stored] of [
        ['max-age=60', false],
        ['public, max-age=60', true],
        ['s-maxage=60', true],
        ['must-revalidate, max-age=60', true],
      ] as const) {
        const path = r({ cc });
        expect(cacheStatus(await send(url, path, { headers: auth }))).toBe('MISS');
        // Served to anyone once stored: the response said it may be shared.
        expect(cacheStatus(await send(url, path)), cc).toBe(stored ? 'HIT' : 'MISS');
        expect(cacheStatus(await send(url, path, { headers: ['authorization', 'Bearer bob'] })), cc).toBe('HIT');
      }
      // A request with Cookie still bypasses: that is a separate opt-in.
      expect(cacheStatus(await send(url, r({ cc: 'public, max-age=60' }), { headers: ['cookie', 'a=1'] }))).toBe('BYPASS');
      expect(calls['r']).toBe(4 + 1 + 1);
    });

    it('with shareCookieRequests, serves and stores for requests with Cookie, but never a response that sets one', async () => {
      const { url, calls } = await open({ shareCookieRequests: true });
      const path = r({ cc: 'public, max-age=60' });
      expect(cacheStatus(await send(url, path, { headers: ['cookie', 'theme=dark'] }))).toBe('MISS');
      expect(cacheStatus(await send(url, path, { headers: ['cookie', 'theme=light'] }))).toBe('HIT');
      expect(cacheStatus(await send(url, path))).toBe('HIT');
      const setting = r({ cc: 'public, max-age=60', cookie: 1 });
      await send(url, setting, { headers: ['cookie', 'theme=dark'] });
      const again = await send(url, setting);
      expect(cacheStatus(again)).toBe('MISS');
      expect(again.headers['set-cookie']).toEqual(['s=1']);
      // Authorization is still refused.
      expect(cacheStatus(await send(url, path, { headers: ['authorization', 'Basic eDp5'] }))).toBe('BYPASS');
      expect(calls['r']).toBe(4);
    });

    it('keeps one entry per value of the request headers named by Vary (names and values normalised)', async () => {
      const { url, calls } = await open({ shareCookieRequests: true });
      const path = r({ cc: 'public, max-age=60', vary: 'Accept-Language' });
      const en = await send(url, path, { headers: ['accept-language', 'en'] });
      const de = await send(url, path, { headers: ['accept-language', 'de'] });
      expect([cacheStatus(en), cacheStatus(de)]).toEqual(['MISS', 'MISS']);
      const enAgain = await send(url, path, { headers: ['accept-language', '  en '] });
      const deAgain = await send(url, path, { headers: ['Accept-Language', 'de'] });
      expect([cacheStatus(enAgain), cacheStatus(deAgain)]).toEqual(['HIT', 'HIT']);
      expect(enAgain.json).toEqual({ call: 1, lang: 'en' });
      expect(deAgain.json).toEqual({ call: 2, lang: 'de' });
      // Without the header is a variant of its own.
      expect(cacheStatus(await send(url, path))).toBe('MISS');
      expect(cacheStatus(await send(url, path))).toBe('HIT');
      expect(calls['r']).toBe(3);
      // Vary: Cookie with shared cookie requests: one entry per cookie.
      const perCookie = r({ cc: 'public, max-age=60', vary: 'cookie' });
      await send(url, perCookie, { headers: ['cookie', 'u=1'] });
      expect(cacheStatus(await send(url, perCookie, { headers: ['cookie', 'u=2'] }))).toBe('MISS');
      expect(cacheStatus(await send(url, perCookie, { headers: ['cookie', 'u=1'] }))).toBe('HIT');
    });

    it('answers a HEAD from a stored GET (no body, the GET’s Content-Length), and never stores a HEAD’s response', async () => {
      const { url, calls } = await open();
      const headFirst = r({ cc: 'public, max-age=60', n: 1 });
      expect(cacheStatus(await send(url, headFirst, { method: 'HEAD' }))).toBe('MISS');
      expect(cacheStatus(await send(url, headFirst))).toBe('MISS');
      const path = r({ cc: 'public, max-age=60', n: 2 });
      const get = await send(url, path);
      const head = await send(url, path, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(cacheStatus(head)).toBe('HIT');
      expect(head.body.length).toBe(0);
      expect(head.headers['content-length']).toBe(String(get.body.length));
      expect(head.headers['content-type']).toBe(get.headers['content-type']);
      expect(calls['r']).toBe(3);
    });

    it('never caches a POST, and leaves its response without X-Cache', async () => {
      const { url, calls } = await open();
      const path = r({ cc: 'public, max-age=60' });
      const first = await send(url, path, { method: 'POST' });
      const second = await send(url, path, { method: 'POST' });
      expect(first.status).toBe(200);
      expect(cacheStatus(first)).toBeUndefined();
      expect(cacheStatus(second)).toBeUndefined();
      // Nor does a POST fill the entry a GET would read.
      expect(cacheStatus(await send(url, path))).toBe('MISS');
      expect(calls['r']).toBe(3);
    });

    it('sends a body larger than maxBodyBytes unstored, and stores one at the limit', async () => {
      const { url, calls } = await open({ maxBodyBytes: 1_000 });
      const big = r({ cc: 'public, max-age=60', size: 1_001 });
      expect((await send(url, big)).body.length).toBe(1_001);
      const again = await send(url, big);
      expect(cacheStatus(again)).toBe('MISS');
      expect(again.body.length).toBe(1_001);
      const fits = r({ cc: 'public, max-age=60', size: 1_000 });
      await send(url, fits);
      const hit = await send(url, fits);
      expect(cacheStatus(hit)).toBe('HIT');
      expect(hit.body.equals(Buffer.alloc(1_000, 'x'))).toBe(true);
      expect(calls['r']).toBe(3);
    });

    it('keeps binary bodies byte for byte', async () => {
      const { url } = await open();
      const path = r({ cc: 'public, max-age=60', bin: 1 });
      await send(url, path);
      const hit = await send(url, path);
      expect(cacheStatus(hit)).toBe('HIT');
      expect(hit.headers['content-type']).toBe('application/octet-stream');
      expect([...hit.body]).toEqual(Array.from({ length: 256 }, (_, i) => i));
    });

    it('bypasses the lookup for a request with Cache-Control no-cache (and stores the fresh answer) or no-store (and stores nothing)', async () => {
      const { url, calls } = await open();
      const path = r({ cc: 'public, max-age=60' });
      await send(url, path);
      const refreshed = await send(url, path, { headers: ['cache-control', 'no-cache'] });
      expect(cacheStatus(refreshed)).toBe('BYPASS');
      expect(refreshed.headers['x-call']).toBe('2');
      expect((await send(url, path)).headers['x-call']).toBe('2');
      const other = r({ cc: 'public, max-age=60', n: 2 });
      expect(cacheStatus(await send(url, other, { headers: ['cache-control', 'no-store'] }))).toBe('BYPASS');
      expect(cacheStatus(await send(url, other))).toBe('MISS');
      expect(calls['r']).toBe(4);
    });

    it('does not store headers that were set before the cache saw the request: a hit keeps the current request’s own', async () => {
      const { url } = await open();
      const path = r({ cc: 'public, max-age=60' });
      const first = await send(url, path);
      const hit = await send(url, path);
      expect(cacheStatus(hit)).toBe('HIT');
      expect(hit.headers['x-request-id']).toBeDefined();
      expect(hit.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    });

    it('leaves an opted-out route alone', async () => {
      const { url, calls } = await open();
      const first = await send(url, '/optout');
      const second = await send(url, '/optout');
      expect(cacheStatus(first)).toBeUndefined();
      expect(cacheStatus(second)).toBeUndefined();
      expect(calls['optout']).toBe(2);
    });

    it('names its status header as told, or sends none', async () => {
      const named = await open({ statusHeader: 'X-Edge-Cache' });
      const path = r({ cc: 'public, max-age=60' });
      await send(named.url, path);
      const hit = await send(named.url, path);
      expect(hit.headers['x-edge-cache']).toBe('HIT');
      expect(hit.headers['x-cache']).toBeUndefined();
      await app!.close();
      await cache!.close();
      const silent = await open({ statusHeader: false });
      await send(silent.url, path);
      const quiet = await send(silent.url, path);
      expect(quiet.headers['x-cache']).toBeUndefined();
      expect(quiet.headers['age']).toBe('0');
      expect(silent.calls['r']).toBe(1);
    });

    it('treats a closed cache as a miss: the handler answers', async () => {
      const { url, calls } = await open();
      const path = r({ cc: 'public, max-age=60' });
      await send(url, path);
      await cache!.close();
      const answered = await send(url, path);
      expect(answered.status).toBe(200);
      expect(cacheStatus(answered)).toBe('MISS');
      expect(calls['r']).toBe(2);
    });

    /** Every microtask of the requests in flight has run (a memory cache does no I/O). */
    const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

    it('without coalesceMisses, concurrent misses each run the handler', async () => {
      const { url, calls, gates } = await open();
      const path = r({ cc: 'public, max-age=60', gate: 1 });
      const first = send(url, path);
      const second = send(url, path);
      // Both handlers are running at once before either answers.
      const gated = [await gates.next(), await gates.next()];
      for (const gate of gated) gate.release();
      expect([cacheStatus(await first), cacheStatus(await second)]).toEqual(['MISS', 'MISS']);
      expect(calls['r']).toBe(2);
    });

    it('with coalesceMisses, a concurrent miss waits for the first handler and is served what it stored', async () => {
      const { url, calls, gates, arrivals } = await open({ coalesceMisses: true });
      const path = r({ cc: 'public, max-age=60', gate: 1 });
      const first = send(url, path);
      const gate = await gates.next();
      const second = send(url, path);
      await arrivals.next();
      await arrivals.next();
      await settled();
      expect(calls['r']).toBe(1);
      gate.release();
      const [one, two] = [await first, await second];
      expect(cacheStatus(one)).toBe('MISS');
      expect(cacheStatus(two)).toBe('HIT');
      expect(two.body.equals(one.body)).toBe(true);
      expect(two.headers['x-request-id']).not.toBe(one.headers['x-request-id']);
      expect(calls['r']).toBe(1);
    });

    it('with coalesceMisses, a waiter never gets a response that may not be shared: it runs its own handler after the first', async () => {
      const { url, calls, gates, arrivals } = await open({ coalesceMisses: true });
      const path = r({ cc: 'public, max-age=60', cookie: 1, gate: 1 });
      const first = send(url, path);
      const leader = await gates.next();
      const second = send(url, path);
      await arrivals.next();
      await arrivals.next();
      await settled();
      expect(calls['r']).toBe(1);
      leader.release();
      expect((await first).headers['x-call']).toBe('1');
      // Only now does the waiter's own handler run.
      (await gates.next()).release();
      const own = await second;
      expect(cacheStatus(own)).toBe('MISS');
      expect(own.headers['x-call']).toBe('2');
      expect(calls['r']).toBe(2);
    });

    it('with coalesceMisses, a waiter stops waiting after coalesceWaitMs and runs its own handler', async () => {
      const { url, calls, gates, arrivals, advance } = await open({ coalesceMisses: true, coalesceWaitMs: 1_000 });
      const path = r({ cc: 'public, max-age=60', gate: 1 });
      const first = send(url, path);
      const leader = await gates.next();
      const second = send(url, path);
      await arrivals.next();
      await arrivals.next();
      await settled();
      advance(999);
      await settled();
      expect(calls['r']).toBe(1);
      advance(1);
      (await gates.next()).release();
      expect(cacheStatus(await second)).toBe('MISS');
      leader.release();
      expect(cacheStatus(await first)).toBe('MISS');
      expect(calls['r']).toBe(2);
    });

    it('rejects bad options at construction, naming the option', async () => {
      const valid = { cache: createCache() };
      const cases: [unknown, RegExp][] = [
        [undefined, /`cache`/],
        [{ cache: {} }, /`cache`/],
        [{ ...valid, maxBodyBytes: -1 }, /`maxBodyBytes`.*from 0 to 536870912.*`-1`/],
        [{ ...valid, maxBodyBytes: 1.5 }, /`maxBodyBytes`/],
        [{ ...valid, defaultTtlMs: 0 }, /`defaultTtlMs`.*`0`/],
        [{ ...valid, shareAuthorizationRequests: 'yes' }, /`shareAuthorizationRequests`/],
        [{ ...valid, shareCookieRequests: 1 }, /`shareCookieRequests`/],
        [{ ...valid, statusHeader: 'x cache' }, /`statusHeader`.*"x cache"/],
        [{ ...valid, statusHeader: true }, /`statusHeader`/],
        [{ ...valid, key: 'url' }, /`key`/],
        [{ ...valid, clock: {} }, /`clock`/],
        [{ ...valid, coalesceMisses: 'yes' }, /`coalesceMisses`/],
        [{ ...valid, coalesceWaitMs: 0 }, /`coalesceWaitMs`.*`0`/],
        [{ ...valid, ttl: 5 }, /Unknown option `ttl`/],
      ];
      for (const [options, message] of cases) {
        await expect(build(options), JSON.stringify(options)).rejects.toThrow(message);
      }
      await expect(build({ ...valid, statusHeader: false, defaultTtlMs: 1 })).resolves.toBeUndefined();
      await valid.cache.close();
    });
  });
}

/** A RemoteTier that remembers its writes, so a test can wait for the background L2 fills. */
export function trackedTier(tier: RemoteTier): { tier: RemoteTier; written(): Promise<void> } {
  const writes: Promise<unknown>[] = [];
  return {
    tier: {
      get: (key) => tier.get(key),
      set: (key, entry) => {
        const write = tier.set(key, entry);
        writes.push(write.catch(() => undefined));
        return write;
      },
      delete: (keys) => tier.delete(keys),
      deleteTags: (tags) => tier.deleteTags(tags),
      deletePrefix: (prefix) => tier.deletePrefix(prefix),
      close: () => tier.close(),
    },
    written: async () => void (await Promise.all(writes)),
  };
}

export function redisResponseCacheScenarios(framework: string, start: StartCacheApp): void {
  describe(`HTTP response caching on one Redis L2 shared by two app instances (${framework})`, () => {
    let redis: RedisServer;
    let prefixes = 0;
    const cleanup: (() => Promise<void>)[] = [];
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      await redis.stop();
    });
    afterEach(async () => {
      for (const step of cleanup.splice(0)) await step();
    });

    // Behind one load balancer both instances see the same Host, which the default key starts with.
    const host = ['host', 'shop.example'];

    /** An instance: its own cache (L1) over its own Redis connection, on one shared prefix. */
    async function instance(prefix: string, time: ReturnType<typeof manualClock>) {
      const tracked = trackedTier(redisTier(await redis.client(), { prefix }));
      const cache = createCache({ name: 'http', l2: tracked.tier, clock: time.clock });
      const app = await start({ cache, clock: time.clock });
      cleanup.push(async () => {
        await app.close();
        await cache.close();
        await tracked.tier.close();
      });
      return { ...app, written: tracked.written };
    }

    async function pair() {
      const prefix = `bw:http-cache-test:${++prefixes}:`;
      // Redis drops entries by its own time, so the clock must be near the real one.
      const time = manualClock();
      time.advance(Date.now());
      return { a: await instance(prefix, time), b: await instance(prefix, time), advance: (ms: number) => time.advance(ms) };
    }

    it('serves on instance B the response instance A stored, byte for byte, with the same Age', async () => {
      const { a, b, advance } = await pair();
      const json = r({ cc: 'public, max-age=60' });
      const bin = r({ cc: 'public, max-age=60', bin: 1 });
      const first = await send(a.url, json, { headers: host });
      const firstBin = await send(a.url, bin, { headers: host });
      await a.written();
      advance(7_000);
      const hit = await send(b.url, json, { headers: host });
      expect(cacheStatus(hit)).toBe('HIT');
      expect(hit.body.equals(first.body)).toBe(true);
      expect(hit.headers['age']).toBe('7');
      expect(hit.headers['x-call']).toBe('1');
      const hitBin = await send(b.url, bin, { headers: host });
      expect(cacheStatus(hitBin)).toBe('HIT');
      expect(hitBin.body.equals(firstBin.body)).toBe(true);
      expect(b.calls['r'] ?? 0).toBe(0);
      expect(a.calls['r']).toBe(2);
    });

    it('shares variants across instances and keeps the unshareable out of Redis', async () => {
      const { a, b } = await pair();
      const path = r({ cc: 'public, max-age=60', vary: 'accept-language' });
      await send(a.url, path, { headers: [...host, 'accept-language', 'en'] });
      await send(a.url, r({ cc: 'private, max-age=60' }), { headers: host });
      await send(a.url, r({ cc: 'public, max-age=60' }), { headers: [...host, 'authorization', 'Bearer alice'] });
      await a.written();
      expect(cacheStatus(await send(b.url, path, { headers: [...host, 'accept-language', 'en'] }))).toBe('HIT');
      expect(cacheStatus(await send(b.url, path, { headers: [...host, 'accept-language', 'fr'] }))).toBe('MISS');
      expect(cacheStatus(await send(b.url, r({ cc: 'private, max-age=60' }), { headers: host }))).toBe('MISS');
      expect(cacheStatus(await send(b.url, r({ cc: 'public, max-age=60' }), { headers: host }))).toBe('MISS');
      expect(b.calls['r']).toBe(3);
    });
  });
}
