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
