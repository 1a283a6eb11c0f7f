import { describe, expect, it } from 'vitest';
import { GradientLimit } from '@breakwater/bulkhead';

/** Feeds `count` identical samples at full use (inflight = limit) and returns every limit answered. */
function feed(limit: GradientLimit, count: number, rtt: number, dropped = false): number[] {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push(limit.onSample(rtt, limit.limit, dropped));
  return seen;
}

describe('GradientLimit', () => {
  it("starts from Netflix's Gradient2 defaults", () => {
    const gradient = new GradientLimit();
    expect({
      limit: gradient.limit,
      min: gradient.min,
      max: gradient.max,
      smoothing: gradient.smoothing,
      queueSize: gradient.queueSize,
      longWindow: gradient.longWindow,
      rttTolerance: gradient.rttTolerance,
    }).toEqual({ limit: 20, min: 20, max: 200, smoothing: 0.2, queueSize: 4, longWindow: 600, rttTolerance: 1.5 });
  });

  it('grows by queueSize × smoothing per sample while latency stays normal', () => {
    const gradient = new GradientLimit();
    expect(feed(gradient, 6, 10)).toEqual([20, 21, 22, 23, 24, 24]);
    expect(gradient.estimate).toBeCloseTo(24.8, 10);
  });

  it('does not grow while less than half the limit is in use, but still learns the latency', () => {
    const gradient = new GradientLimit({ initial: 40, min: 1 });
    expect(gradient.onSample(10, 19, false)).toBe(40);
    expect(gradient.onSample(30, 19, false)).toBe(40);
    expect(gradient.estimate).toBe(40);
    expect(gradient.longRtt).toBe(20); // a plain mean while warming up
    expect(gradient.shortRtt).toBe(30);
  });

  it('tolerates latency up to rttTolerance × normal', () => {
    const gradient = new GradientLimit({ initial: 40 });
    feed(gradient, 10, 10);
    const before = gradient.estimate;
    gradient.onSample(15, gradient.limit, false); // 1.5 × 10.017 / 15 > 1: no queuing
    expect(gradient.estimate).toBeCloseTo(before + 0.8, 10);
  });

  it('shrinks when latency rises well above normal, by at most half the smoothing per sample', () => {
    const gradient = new GradientLimit({ initial: 100, min: 1 });
    feed(gradient, 10, 10);
    expect(gradient.longRtt).toBe(10);
    const before = gradient.estimate; // 108
    expect(before).toBeCloseTo(108, 10);
    // gradient = clamp(1.5 × 10.3 / 100) = 0.5: estimate × 0.8 + (estimate × 0.5 + 4) × 0.2
    expect(gradient.onSample(100, gradient.limit, false)).toBe(Math.floor(before * 0.9 + 0.8));
    expect(gradient.longRtt).toBeCloseTo(10 + 90 * (2 / 601), 10);
    // 98 → 89 → 80.9 → 73.6 → 67.05 → 61.1
    expect(feed(gradient, 5, 100)).toEqual([89, 80, 73, 67, 61]);
  });

  it('stays within [min, max]', () => {
    const gradient = new GradientLimit({ min: 20, max: 60, initial: 40 });
    feed(gradient, 10, 10);
    expect(feed(gradient, 100, 10).at(-1)).toBe(60);
    expect(gradient.estimate).toBe(60);
    const falling = feed(gradient, 200, 1_000);
    expect(Math.min(...falling)).toBe(20);
    expect(falling.at(-1)).toBe(20);
    expect(gradient.estimate).toBe(20);
  });

  it('shrinks by smoothing / 2 on a drop, even when underused, and keeps the drop out of the averages', () => {
    const gradient = new GradientLimit({ min: 1, initial: 50 });
    gradient.onSample(10, 50, false);
    const longBefore = gradient.longRtt;
    expect(gradient.onSample(5_000, 1, true)).toBe(45);
    expect(gradient.estimate).toBeCloseTo(0.9 * 50.8, 10);
    expect(gradient.longRtt).toBe(longBefore);
    expect(gradient.shortRtt).toBe(10);
    expect(feed(gradient, 3, 0, true)).toEqual([41, 37, 33]);
  });

  it('lets "normal" fall faster once latency is far below it again', () => {
    const gradient = new GradientLimit({ longWindow: 10 });
    feed(gradient, 10, 100);
    expect(gradient.longRtt).toBe(100);
    gradient.onSample(10, gradient.limit, false);
    // The average alone would be 100 × 9/11 + 10 × 2/11 = 83.6; the decay takes 5% more.
    expect(gradient.longRtt).toBeCloseTo(((100 * 9) / 11 + (10 * 2) / 11) * 0.95, 10);
  });

  it('reads a zero-length call as no queuing instead of dividing by zero', () => {
    const gradient = new GradientLimit();
    expect(feed(gradient, 3, 0)).toEqual([20, 21, 22]);
    expect(Number.isFinite(gradient.estimate)).toBe(true);
  });
});
