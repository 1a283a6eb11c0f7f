import { measure } from 'mitata';

export interface CaseResult {
  readonly name: string;
  /** Median time per call in ns. */
  readonly p50: number;
  readonly p99: number;
  readonly avg: number;
  readonly samples: number;
}

/** A benchmark case: one call of the operation (awaited when it returns a promise). */
export type BenchCase = () => unknown;

const WARMUP_MS = 400;
const WARMUP_MAX_CALLS = 2_000_000;

/**
 * Warms the case up explicitly (JIT tiers settle before sampling starts), then lets mitata
 * sample it for at least a second. Mitata batches fast ops and times slow ones one by one.
 */
export async function measureCase(name: string, fn: BenchCase): Promise<CaseResult> {
  const warmupEnd = performance.now() + WARMUP_MS;
  for (let i = 0; i < WARMUP_MAX_CALLS && performance.now() < warmupEnd; i++) {
    const value = fn();
    if (value instanceof Promise) await value;
  }
  globalThis.gc?.();
  const stats = await measure(fn, { min_cpu_time: 1_000 * 1e6, inner_gc: false });
  return { name, p50: stats.p50, p99: stats.p99, avg: stats.avg, samples: stats.samples.length };
}
