// In-process rate-limit decisions: @breakwater/rate-limit's memory store (GCRA, the default)
// against rate-limiter-flexible's RateLimiterMemory, on one hot key and over 10k rotating keys.
// Limits are high enough that no decision is ever a denial (perf-anchors Group 2).
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { rateLimit } from '@breakwater/rate-limit';
import type { BenchGroup } from '../group.ts';

const fn = async (): Promise<number> => 42;
const KEYS = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

export const group: BenchGroup = {
  title: 'Rate-limit decisions in memory (no denials)',
  baseline: 'bare: await fn()',
  comparisons: [
    ['rate-limit check (same key)', 'RateLimiterMemory.consume (same key)'],
    ['rate-limit check (10k keys)', 'RateLimiterMemory.consume (10k keys)'],
    ['rate-limit checkSync (same key)', 'RateLimiterMemory.consume (same key)'],
    ['rate-limit checkSync (10k keys)', 'RateLimiterMemory.consume (10k keys)'],
  ],
  setup() {
    const limiter = rateLimit({ limits: { quota: 1e12, windowMs: 3_600_000 }, key: 'hot' });
    const rotating = rateLimit({ name: 'rotating', limits: { quota: 1e12, windowMs: 3_600_000 } });
    const flexible = new RateLimiterMemory({ points: 1e12, duration: 3_600 });
    const flexibleRotating = new RateLimiterMemory({ points: 1e12, duration: 3_600, keyPrefix: 'rotating' });
    let i = 0;
    let j = 0;
    let k = 0;
    return {
      'bare: await fn()': () => fn(),
      'rate-limit check (same key)': () => limiter.check('hot'),
      'RateLimiterMemory.consume (same key)': () => flexible.consume('hot'),
      'rate-limit check (10k keys)': () => rotating.check(KEYS[i++ % 10_000]!),
      'RateLimiterMemory.consume (10k keys)': () => flexibleRotating.consume(KEYS[j++ % 10_000]!),
      // The memory store's decision without the promise: what a hot path that needs no await gets.
      'rate-limit checkSync (same key)': () => limiter.checkSync('hot'),
      'rate-limit checkSync (10k keys)': () => rotating.checkSync(KEYS[k++ % 10_000]!),
      'rate-limit execute(fn)': () => limiter.execute(fn),
    };
  },
};
