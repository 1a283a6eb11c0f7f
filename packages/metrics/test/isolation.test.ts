import { describe, expect, it, vi } from 'vitest';
import { Registry } from 'prom-client';
import { createMetrics } from '@breakwater/metrics';
import { cockatielLikeRetry } from './cockatiel-shapes.ts';
import { series } from './exposition.ts';

/** Captures what is scheduled on process.nextTick, where isolated listener errors go. */
function captureNextTick(): (() => void)[] {
  const deferred: (() => void)[] = [];
  vi.spyOn(process, 'nextTick').mockImplementation(((fn: () => void) => void deferred.push(fn)) as typeof process.nextTick);
  return deferred;
}

describe('listener isolation', () => {
  it('a throwing metrics listener neither fails nor re-runs a cockatiel call; the error is rethrown on nextTick', async () => {
    const registry = new Registry();
    const policy = cockatielLikeRetry(3);
    createMetrics({ registry }).bindRetry(policy);
    const bug = new Error('metrics bug');
    // The binding bumps a cached cell of the counter: the same object cell() hands out here.
    const attempts = registry.getSingleMetric('breakwater_retry_attempts_total') as unknown as { cell(labels: object): { inc(): void } };
    vi.spyOn(attempts.cell({ policy: 'retry', outcome: 'success' }), 'inc').mockImplementation(() => {
      throw bug;
    });
    let calls = 0;
    const deferred = captureNextTick();
    // Unprotected, the throw from the onSuccess listener would be taken for a failure and retried.
    await expect(policy.execute(() => (calls++, 'ok'))).resolves.toBe('ok');
    vi.mocked(process.nextTick).mockRestore();
    expect(calls).toBe(1);
    expect(deferred).toHaveLength(1);
    expect(() => deferred[0]!()).toThrow(bug);
  });

  it('a gauge source that throws drops out of the scrape; the others still report', async () => {
    const registry = new Registry();
    const metrics = createMetrics({ registry });
    let healthy = true;
    const broken = {
      name: 'broken',
      onRejected: () => ({ dispose() {} }),
      get executing(): number {
        if (!healthy) throw new Error('getter bug');
        return 1;
      },
    };
    metrics.bindBulkhead(broken);
    healthy = false;
    metrics.bindBulkhead({ name: 'fine', executing: 4, onRejected: () => ({ dispose() {} }) });
    const deferred = captureNextTick();
    const scraped = await series(registry, 'breakwater_bulkhead_executing');
    vi.mocked(process.nextTick).mockRestore();
    expect(scraped).toEqual({ 'breakwater_bulkhead_executing{policy="fine"}': 4 });
    expect(deferred).toHaveLength(1);
    expect(() => deferred[0]!()).toThrow('getter bug');
  });
});
