import { describe, expect, it } from 'vitest';
import { memoryStore, rateLimit, type MemoryStore } from '@breakwater/rate-limit';
import { describeConformance, describeSameNameLimiters, T0 } from './conformance.ts';

let limiters = 0;

describeConformance('memory', () => {
  let now = T0;
  const clock = { now: () => now, epochNow: () => now, setTimeout: () => 0, clearTimeout: () => {} };
  return {
    limiter: (options) => rateLimit({ ...options, name: `m${++limiters}`, clock }),
    advance: (ms) => void (now += ms),
  };
});

// Time stands still: remaining counts must not drift while the test runs.
describeSameNameLimiters('memory', () => memoryStore({ clock: { now: () => T0, epochNow: () => T0, setTimeout: () => 0, clearTimeout: () => {} } }));

describe('memory store', () => {
  it('is bounded: a flood of distinct keys keeps at most maxKeys', async () => {
    const store: MemoryStore = memoryStore({ maxKeys: 1_000 });
    const limiter = rateLimit({ limits: { quota: 1, windowMs: 60_000 }, store });
    for (let i = 0; i < 20_000; i++) await limiter.check(`key-${i}`);
    expect(limiter.store).toBe(store);
    // The most recent keys are still limited; the oldest were forgotten.
    expect((await limiter.check('key-19999')).allowed).toBe(false);
    expect((await limiter.check('key-0')).allowed).toBe(true);
  });
});

describe('checkSync()', () => {
  function twins(options: Parameters<typeof rateLimit>[0]) {
    let now = T0;
    const clock = { now: () => now, epochNow: () => now, setTimeout: () => 0, clearTimeout: () => {} };
    return {
      sync: rateLimit({ ...options, name: 'sync', clock }),
      async: rateLimit({ ...options, name: 'async', clock }),
      advance: (ms: number) => void (now += ms),
    };
  }

  it.each(['gcra', 'token-bucket', 'sliding-window', 'fixed-window'] as const)('decides exactly as check() does (%s, two limits, weighted costs)', async (algorithm) => {
    const { sync, async, advance } = twins({ algorithm, limits: [{ quota: 5, windowMs: 1_000 }, { quota: 12, windowMs: 10_000 }] });
    const costs = [1, 2, 1, 3, 1, 1, 0, 2, 1, 1, 4, 1, 1, 2, 1, 1, 1, 1];
    for (const [i, cost] of costs.entries()) {
      const key = i % 3 === 0 ? 'b' : 'a';
      expect(sync.checkSync(key, cost)).toEqual(await async.check(key, cost));
      advance(137);
    }
  });

  it('emits onDecision like check()', () => {
    const { sync } = twins({ limits: { quota: 1, windowMs: 1_000 } });
    const seen: boolean[] = [];
    sync.onDecision((event) => seen.push(event.allowed));
    sync.checkSync('k');
    sync.checkSync('k');
    expect(seen).toEqual([true, false]);
  });

  it('throws at once for a bad key or cost, and for a store that answers asynchronously', () => {
    const { sync } = twins({ limits: { quota: 3, windowMs: 1_000 } });
    expect(() => sync.checkSync(42 as never)).toThrow(TypeError);
    expect(() => sync.checkSync('k', 4)).toThrow(RangeError);
    const remote = rateLimit({
      limits: { quota: 3, windowMs: 1_000 },
      store: { kind: 'remote', decide: async () => [1, 2, 0, 0] },
    });
    expect(() => remote.checkSync('k')).toThrow(/checkSync\(\) needs the memory store; limiter `rate-limit` uses the remote store/);
  });
});
