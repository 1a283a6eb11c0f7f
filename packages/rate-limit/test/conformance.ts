import { describe, expect, it } from 'vitest';
import { rateLimit, type AlgorithmName, type RateLimitDecision, type RateLimiter, type RateLimiterOptions, type RateLimitStore } from '@breakwater/rate-limit';

/**
 * What a store under test provides: limiters on that store, all reading one injected time
 * (`clock.now()` for memory, the test-only `now` override for Redis).
 */
export interface ConformanceTarget {
  /** A limiter on the store under test; `name` is unique per call so tests never share state. */
  limiter(options: Omit<RateLimiterOptions, 'store' | 'clock' | 'name'>): RateLimiter;
  /** Moves the store's time forward. */
  advance(ms: number): void;
}

const ALGORITHMS: readonly AlgorithmName[] = ['gcra', 'token-bucket', 'sliding-window', 'fixed-window'];

/** The review's repro (5 per second), and two limits where the one that admits may bind after a counted denial. */
const WAIT_CASES = [
  ['5 per second', { limits: { quota: 5, windowMs: 1_000 } }],
  ['5 per second and 8 per 4 s', { limits: [{ quota: 5, windowMs: 1_000, name: 'second' }, { quota: 8, windowMs: 4_000, name: 'four-seconds' }] }],
] as const;

/** Epoch ms on a whole hour, so every window in these tests starts exactly here. */
export const T0 = 1_764_000_000_000;

async function admitted(limiter: RateLimiter, key: string, n: number, cost = 1): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) out.push((await limiter.check(key, cost)).allowed);
  return out;
}

/**
 * One suite, run against every store: memory, single Redis and Redis Cluster give the same
 * answers to the millisecond, because the Lua script is a port of the same arithmetic.
 */
export function describeConformance(name: string, setup: () => ConformanceTarget): void {
  describe(`conformance: ${name}`, () => {
    it('GCRA admits the quota as a burst, then one unit per emission interval', async () => {
      const t = setup();
      const limiter = t.limiter({ limits: { quota: 10, windowMs: 1_000 } });
      const first = await limiter.check('k');
      expect(first).toEqual({
        allowed: true,
        limit: 10,
        remaining: 9,
        resetMs: 100,
        retryAfterMs: 0,
        policy: '10-per-1s',
        limits: [{ name: '10-per-1s', quota: 10, windowMs: 1_000, remaining: 9, resetMs: 100 }],
        source: 'store',
      });
      expect(await admitted(limiter, 'k', 9)).toEqual(Array(9).fill(true));
      const denied = await limiter.check('k');
      expect(denied).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 100, resetMs: 1_000 });
      t.advance(99);
      expect((await limiter.check('k')).retryAfterMs).toBe(1);
      t.advance(1);
      expect(await limiter.check('k')).toMatchObject({ allowed: true, remaining: 0 });
      expect((await limiter.check('k')).allowed).toBe(false);
    });

    it('GCRA with a quota that does not divide the window still admits exactly the quota', async () => {
      const t = setup();
      const limiter = t.limiter({ limits: { quota: 3, windowMs: 1_000 } });
      expect(await admitted(limiter, 'k', 4)).toEqual([true, true, true, false]);
      expect((await limiter.check('k')).retryAfterMs).toBe(334);
    });

    it('token bucket admits like GCRA and reports tokens', async () => {
      const t = setup();
      const limiter = t.limiter({ algorithm: 'token-bucket', limits: { quota: 10, windowMs: 1_000 } });
      expect(await admitted(limiter, 'k', 11)).toEqual([...Array(10).fill(true), false]);
      expect(await limiter.check('k')).toMatchObject({ allowed: false, retryAfterMs: 100, resetMs: 1_000 });
      t.advance(250);
      expect(await limiter.check('k')).toMatchObject({ allowed: true, remaining: 1 });
    });

    it('fixed window: exact edges', async () => {
      const t = setup();
      t.advance(250);
      const limiter = t.limiter({ algorithm: 'fixed-window', limits: { quota: 5, windowMs: 1_000 } });
      expect(await admitted(limiter, 'k', 6)).toEqual([true, true, true, true, true, false]);
      expect(await limiter.check('k')).toMatchObject({ allowed: false, retryAfterMs: 750, resetMs: 750 });
      t.advance(749);
      expect(await limiter.check('k')).toMatchObject({ allowed: false, retryAfterMs: 1 });
      t.advance(1);
      expect(await limiter.check('k')).toMatchObject({ allowed: true, remaining: 4, resetMs: 1_000 });
    });

    it('sliding window weighs the previous window by its overlap', async () => {
      const t = setup();
      t.advance(500);
      const limiter = t.limiter({ algorithm: 'sliding-window', limits: { quota: 10, windowMs: 1_000 } });
      expect(await admitted(limiter, 'k', 11)).toEqual([...Array(10).fill(true), false]);
      // Fits only in the next window, once 10 % of this one has slid out: 500 + 100 ms. Full
      // again only once this window's 10 have slid out entirely, at the end of the next one.
      expect(await limiter.check('k')).toMatchObject({ allowed: false, retryAfterMs: 600, resetMs: 1_500 });
      t.advance(500);
      expect(await limiter.check('k')).toMatchObject({ allowed: false, retryAfterMs: 100 });
      t.advance(99);
      expect(await limiter.check('k')).toMatchObject({ allowed: false, retryAfterMs: 1 });
      t.advance(1);
      expect(await limiter.check('k')).toMatchObject({ allowed: true, remaining: 0 });
      t.advance(400);
      // Previous window weighs 10 × 0.5 = 5, the current holds 1: 4 left.
      expect(await admitted(limiter, 'k', 5)).toEqual([true, true, true, true, false]);
    });

    it('several limits are checked together and a denial counts in none of them', async () => {
      const t = setup();
      const limiter = t.limiter({
        algorithm: 'fixed-window',
        limits: [
          { quota: 3, windowMs: 1_000, name: 'second' },
          { quota: 5, windowMs: 60_000, name: 'minute' },
        ],
      });
      expect(await admitted(limiter, 'k', 3)).toEqual([true, true, true]);
      const denied = await limiter.check('k');
      expect(denied).toMatchObject({ allowed: false, policy: 'second', limit: 3, retryAfterMs: 1_000 });
      expect(denied.limits).toEqual([
        { name: 'second', quota: 3, windowMs: 1_000, remaining: 0, resetMs: 1_000 },
        { name: 'minute', quota: 5, windowMs: 60_000, remaining: 2, resetMs: 60_000 },
      ]);
      t.advance(1_000);
      const allowed = await limiter.check('k');
      expect(allowed).toMatchObject({ allowed: true, policy: 'minute', remaining: 1 });
      expect(await limiter.check('k')).toMatchObject({ allowed: true, policy: 'minute', remaining: 0 });
      expect(await limiter.check('k')).toMatchObject({ allowed: false, policy: 'minute', retryAfterMs: 59_000 });
      expect((await limiter.check('k')).limits[0]).toMatchObject({ remaining: 1 });
    });

    it('denied requests consume nothing by default', async () => {
      const t = setup();
      const limiter = t.limiter({ limits: { quota: 5, windowMs: 1_000 } });
      await admitted(limiter, 'k', 5);
      expect(await admitted(limiter, 'k', 50)).toEqual(Array(50).fill(false));
      t.advance(200);
      expect(await admitted(limiter, 'k', 2)).toEqual([true, false]);
    });

    it('consumeWhenDenied keeps a hammering client out', async () => {
      const t = setup();
      const limiter = t.limiter({ limits: { quota: 5, windowMs: 1_000 }, consumeWhenDenied: true });
      await admitted(limiter, 'k', 5);
      await admitted(limiter, 'k', 5);
      t.advance(200);
      // 10 counted: TAT 2,000 ms ahead, 1,800 after the wait; this denial is counted too (2,000
      // ahead again), so the next unit fits once TAT + 200 is within the window: 1,200 ms.
      expect(await limiter.check('k')).toMatchObject({ allowed: false, retryAfterMs: 1_200, resetMs: 2_000 });
    });

    it('weighted costs, and cost 0 peeks without counting', async () => {
      const t = setup();
      const limiter = t.limiter({ limits: { quota: 10, windowMs: 1_000 } });
      expect(await limiter.check('k', 4)).toMatchObject({ allowed: true, remaining: 6 });
      expect(await limiter.check('k', 4)).toMatchObject({ allowed: true, remaining: 2 });
      expect(await limiter.check('k', 4)).toMatchObject({ allowed: false, retryAfterMs: 200 });
      expect(await limiter.check('k', 0)).toMatchObject({ allowed: true, remaining: 2 });
      expect(await limiter.check('k', 2)).toMatchObject({ allowed: true, remaining: 0 });
    });

    it('keys and limiters are independent', async () => {
      const t = setup();
      const a = t.limiter({ limits: { quota: 1, windowMs: 1_000 } });
      const b = t.limiter({ limits: { quota: 1, windowMs: 1_000 } });
      expect(await admitted(a, 'x', 2)).toEqual([true, false]);
      expect(await admitted(a, 'y', 1)).toEqual([true]);
      expect(await admitted(b, 'x', 1)).toEqual([true]);
    });

    describe.each(WAIT_CASES)('waiting exactly retryAfterMs admits the same cost: %s', (_, options) => {
      it.each(ALGORITHMS.flatMap((algorithm) => [false, true].flatMap((consumeWhenDenied) => [1, 2].map((cost) => [algorithm, consumeWhenDenied, cost] as const))))(
        '%s, consumeWhenDenied %s, cost %s',
        async (algorithm, consumeWhenDenied, cost) => {
          const t = setup();
          // Off the window edge, so fixed and sliding windows wait inside and across windows.
          t.advance(250);
          const limiter = t.limiter({ ...options, algorithm, consumeWhenDenied });
          // A client that retries exactly when told: every retry is admitted, never denied again
          // (with consumeWhenDenied, a wait computed before counting the denial was one cost short).
          let denials = 0;
          for (let i = 0; i < 40; i++) {
            const d = await limiter.check('client', cost);
            if (d.allowed) continue;
            denials++;
            expect(d.retryAfterMs).toBeGreaterThan(0);
            t.advance(d.retryAfterMs);
            expect(await limiter.check('client', cost), `request ${i}: after waiting ${d.retryAfterMs} ms`).toMatchObject({ allowed: true });
          }
          expect(denials).toBeGreaterThan(3);

          // Tight, too: one ms less is still denied. Two keys with the same history (several
          // denials in a row, counted or not), then one tries a ms early and the other on time.
          const twins: RateLimitDecision[][] = [[], []];
          for (let i = 0; i < 8; i++) for (const [k, key] of ['early', 'on-time'].entries()) twins[k]!.push(await limiter.check(key, cost));
          expect(twins[0]).toEqual(twins[1]);
          const last = twins[0]!.at(-1)!;
          expect(last.allowed).toBe(false);
          t.advance(last.retryAfterMs - 1);
          expect((await limiter.check('early', cost)).allowed).toBe(false);
          t.advance(1);
          expect((await limiter.check('on-time', cost)).allowed).toBe(true);
        },
      );
    });

    it('1,000 concurrent requests on a limit of 100 admit exactly 100', async () => {
      const t = setup();
      const limiter = t.limiter({ limits: { quota: 100, windowMs: 60_000 } });
      const decisions = await Promise.all(Array.from({ length: 1_000 }, () => limiter.check('hot')));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(100);
      expect(decisions.every((d) => d.source === 'store')).toBe(true);
    });
  });
}

/**
 * Limiters left at the default name on one store, with different limits (or algorithms), keep
 * apart: each `store()` is a fresh namespace (a new prefix in Redis) so the default name can be
 * used as is. Limiters with the same name *and* limits share state (that is how processes share).
 */
export function describeSameNameLimiters(name: string, store: () => RateLimitStore): void {
  describe(`same-name limiters: ${name}`, () => {
    it.each(ALGORITHMS)('api 1,000/min and login 5/min keyed by one IP do not charge each other (%s)', async (algorithm) => {
      const shared = store();
      const api = rateLimit({ algorithm, limits: { quota: 1_000, windowMs: 60_000 }, store: shared });
      const login = rateLimit({ algorithm, limits: { quota: 5, windowMs: 60_000 }, store: shared });
      expect(api.name).toBe(login.name);
      for (let i = 0; i < 5; i++) expect((await api.check('203.0.113.7')).allowed).toBe(true);
      expect(await login.check('203.0.113.7')).toMatchObject({ allowed: true, remaining: 4 });
      expect(await api.check('203.0.113.7')).toMatchObject({ allowed: true, remaining: 994 });
    });

    it('keeps apart limit sets that differ in a second limit, a limit name or the algorithm', async () => {
      const shared = store();
      const limits = [{ quota: 3, windowMs: 60_000, name: 'minute' }, { quota: 100, windowMs: 3_600_000, name: 'hour' }];
      const variants = [
        rateLimit({ limits, store: shared }),
        rateLimit({ limits: [limits[0]!, { ...limits[1]!, quota: 50 }], store: shared }),
        rateLimit({ limits: [limits[0]!, { ...limits[1]!, name: 'per-hour' }], store: shared }),
        rateLimit({ limits, algorithm: 'token-bucket', store: shared }),
        rateLimit({ limits: limits[0]!, store: shared }),
      ];
      for (const limiter of variants) {
        for (let i = 0; i < 3; i++) expect((await limiter.check('k')).allowed).toBe(true);
        expect((await limiter.check('k')).allowed).toBe(false);
      }
    });

    it('shares state between limiters with the same name and limits (one per process)', async () => {
      const shared = store();
      const options = { limits: { quota: 5, windowMs: 60_000 }, store: shared } as const;
      const [first, second] = [rateLimit(options), rateLimit(options)];
      await first.check('k');
      await first.check('k');
      // The memory store is per process: its limiters keep their own state.
      expect(await second.check('k')).toMatchObject({ allowed: true, remaining: shared.kind === 'memory' ? 4 : 2 });
    });
  });
}
