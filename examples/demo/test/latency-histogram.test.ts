import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../src/latency-histogram.ts';

describe('LatencyHistogram', () => {
  it('reports percentiles within 2 % of the exact ones', () => {
    const histogram = new LatencyHistogram();
    const samples = Array.from({ length: 10_000 }, (_, i) => 0.5 + ((i * 7919) % 10_000) / 10); // 0.5 … 1000.4 ms, shuffled
    for (const ms of samples) histogram.record(ms);
    const sorted = [...samples].sort((a, b) => a - b);
    for (const p of [50, 95, 99]) {
      const exact = sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
      expect(histogram.percentile(p)).toBeGreaterThanOrEqual(exact);
      expect(histogram.percentile(p)).toBeLessThanOrEqual(exact * 1.02);
    }
    expect(histogram.percentile(100)).toBe(Math.max(...samples));
    expect(histogram.count).toBe(10_000);
  });

  it('merges histograms and ignores nonsense samples', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    a.record(1);
    b.record(100);
    b.record(Number.NaN);
    b.record(-1);
    a.merge(b);
    expect(a.count).toBe(2);
    expect(a.percentile(100)).toBe(100);
    expect(new LatencyHistogram().percentile(99)).toBe(0);
  });
});
