import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { bulkhead } from '@breakwater/bulkhead';
import { deferred } from 'breakwater-test-utils';
import { createMetrics } from '@breakwater/metrics';
import { NaiveEmitter } from './cockatiel-shapes.ts';
import { metricNames, series } from './exposition.ts';

const EXECUTING = 'breakwater_bulkhead_executing';
const QUEUE = 'breakwater_bulkhead_queue_depth';
const LIMIT = 'breakwater_bulkhead_limit';
const REJECTIONS = 'breakwater_bulkhead_rejections_total';

async function gauges(registry: Registry): Promise<Record<string, number>> {
  return { ...(await series(registry, EXECUTING)), ...(await series(registry, QUEUE)), ...(await series(registry, LIMIT)) };
}

describe('bindBulkhead()', () => {
  it('reads executing, queue depth and limit at scrape time and counts rejections', async () => {
    const registry = new Registry();
    const policy = bulkhead({ name: 'db', capacity: 2, queue: 1 });
    createMetrics({ registry }).bindBulkhead(policy);
    expect(await gauges(registry)).toEqual({ [`${EXECUTING}{policy="db"}`]: 0, [`${QUEUE}{policy="db"}`]: 0, [`${LIMIT}{policy="db"}`]: 2 });
    expect(await series(registry, REJECTIONS)).toEqual({ [`${REJECTIONS}{policy="db"}`]: 0 });

    const gate = deferred<void>();
    const running = [1, 2, 3].map(() => policy.execute(() => gate.promise));
    await expect(policy.execute(() => undefined)).rejects.toThrow();
    expect(await gauges(registry)).toEqual({ [`${EXECUTING}{policy="db"}`]: 2, [`${QUEUE}{policy="db"}`]: 1, [`${LIMIT}{policy="db"}`]: 2 });
    expect(await series(registry, REJECTIONS)).toEqual({ [`${REJECTIONS}{policy="db"}`]: 1 });

    gate.resolve();
    await Promise.all(running);
    expect(await gauges(registry)).toEqual({ [`${EXECUTING}{policy="db"}`]: 0, [`${QUEUE}{policy="db"}`]: 0, [`${LIMIT}{policy="db"}`]: 2 });
    expect(await series(registry, 'breakwater_policy_call_duration_seconds_count')).toEqual({
      'breakwater_policy_call_duration_seconds_count{kind="bulkhead",outcome="success",policy="db"}': 3,
    });
  });

  it('sums the gauges of two bulkheads sharing a name', async () => {
    const registry = new Registry();
    const metrics = createMetrics({ registry });
    metrics.bindBulkhead(bulkhead({ name: 'shared', capacity: 2 }));
    metrics.bindBulkhead(bulkhead({ name: 'shared', capacity: 3 }));
    expect(await series(registry, LIMIT)).toEqual({ [`${LIMIT}{policy="shared"}`]: 5 });
  });

  it('dispose stops reporting the gauges; the counter keeps its total', async () => {
    const registry = new Registry();
    const policy = bulkhead({ name: 'db', capacity: 1 });
    const binding = createMetrics({ registry }).bindBulkhead(policy);
    const gate = deferred<void>();
    const running = policy.execute(() => gate.promise);
    await expect(policy.execute(() => undefined)).rejects.toThrow();
    binding.dispose();
    await expect(policy.execute(() => undefined)).rejects.toThrow();
    expect(await gauges(registry)).toEqual({});
    expect(await series(registry, REJECTIONS)).toEqual({ [`${REJECTIONS}{policy="db"}`]: 1 });
    gate.resolve();
    await running;
  });

  it('binds a cockatiel bulkhead (onReject, no slot getters): rejections only', async () => {
    const registry = new Registry();
    const reject = new NaiveEmitter<void>();
    createMetrics({ registry }).bindBulkhead({ onReject: reject.addListener, executionSlots: 1, queueSlots: 0 } as never);
    reject.emit();
    expect(await series(registry, REJECTIONS)).toEqual({ [`${REJECTIONS}{policy="bulkhead"}`]: 1 });
    expect(await metricNames(registry)).toEqual([EXECUTING, LIMIT, QUEUE, REJECTIONS].sort());
    expect(await gauges(registry)).toEqual({});
  });
});
