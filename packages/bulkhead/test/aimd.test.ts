import { describe, expect, it } from 'vitest';
import { AimdLimit } from '@breakwater/bulkhead';

/** Feeds `count` identical samples and returns every limit the algorithm answered. */
function feed(limit: AimdLimit, count: number, rtt: number, inflight: number | 'full', dropped = false): number[] {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push(limit.onSample(rtt, inflight === 'full' ? limit.limit : inflight, dropped));
  return seen;
}

describe('AimdLimit', () => {
  it("starts from Netflix's defaults", () => {
    const aimd = new AimdLimit();
    expect({ limit: aimd.limit, min: aimd.min, max: aimd.max, backoffRatio: aimd.backoffRatio, timeout: aimd.timeout }).toEqual({
      limit: 20,
      min: 20,
      max: 200,
      backoffRatio: 0.9,
      timeout: 5_000,
    });
  });

  it('moves the default initial limit into [min, max]', () => {
    expect(new AimdLimit({ min: 1, max: 10 }).limit).toBe(10);
    expect(new AimdLimit({ min: 50 }).limit).toBe(50);
    expect(new AimdLimit({ min: 1, max: 100, initial: 3 }).limit).toBe(3);
  });

  it('grows by one per good sample while at least half the limit is in use', () => {
    const aimd = new AimdLimit();
    expect(feed(aimd, 5, 10, 'full')).toEqual([21, 22, 23, 24, 25]);
    expect(aimd.onSample(10, 13, false)).toBe(26); // 13 × 2 ≥ 25
    expect(aimd.onSample(10, 12, false)).toBe(26); // 12 × 2 < 26: the limit was not used, so no proof it can grow
    expect(aimd.limit).toBe(26);
  });

  it('multiplies by backoffRatio on a drop', () => {
    const aimd = new AimdLimit({ initial: 50 });
    expect(feed(aimd, 5, 10, 1, true)).toEqual([45, 40, 36, 32, 28]);
  });

  it('counts a call slower than timeout as a drop, even when it succeeded', () => {
    const aimd = new AimdLimit({ initial: 50, timeout: 1_000 });
    expect(aimd.onSample(1_000, 50, false)).toBe(51);
    expect(aimd.onSample(1_000.5, 50, false)).toBe(45);
  });

  it('falls by at least one where the ratio alone would round back to the same limit', () => {
    const aimd = new AimdLimit({ min: 1, initial: 5, backoffRatio: 0.99 });
    expect(feed(aimd, 6, 10, 1, true)).toEqual([4, 3, 2, 1, 1, 1]);
  });

  it('stays within [min, max] under any sequence of samples', () => {
    const aimd = new AimdLimit({ min: 5, max: 30, initial: 10 });
    expect(feed(aimd, 40, 10, 'full').at(-1)).toBe(30);
    expect(Math.max(...feed(aimd, 10, 10, 'full'))).toBe(30);
    expect(feed(aimd, 40, 10, 1, true).at(-1)).toBe(5);
    expect(Math.min(...feed(aimd, 10, 10, 1, true))).toBe(5);
  });
});
