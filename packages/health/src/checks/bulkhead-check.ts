import { assertKnownOptions, assertNumber, describeValue, invalidOption, withDefaults } from '@breakwater/core';
import type { CheckDefinition } from '../check.ts';

/** What `bulkheadCheck` reads: a `bulkhead()` from @breakwater/bulkhead fits. */
export interface BulkheadStats {
  readonly executing: number;
  readonly queued: number;
  readonly capacity: number;
  readonly queueCapacity: number;
}

export interface BulkheadCheckOptions {
  /** Saturation from which the check warns, as a fraction of slots plus queue places. Range 0–1. @default 0.8 */
  readonly warnAt?: number;
  /**
   * Saturation from which it fails; 1 means the next caller would be rejected. Range 0–1, ≥ `warnAt`.
   * Register with `critical: false` when every instance saturating together is likely: failing
   * readiness everywhere at once takes the whole service out.
   * @default 1
   */
  readonly failAt?: number;
}

/**
 * Reports a bulkhead's saturation (`"<name>:utilization"`, in percent):
 * (running + queued) / (capacity + queue).
 *
 * @example
 * health.register('db-pool', bulkheadCheck(dbBulkhead, { warnAt: 0.75 }), { critical: false });
 */
export function bulkheadCheck(bulkhead: BulkheadStats, options?: BulkheadCheckOptions): CheckDefinition {
  const fields = ['executing', 'queued', 'capacity', 'queueCapacity'] as const;
  if (bulkhead === null || typeof bulkhead !== 'object' || fields.some((field) => typeof (bulkhead as unknown as Record<string, unknown>)[field] !== 'number')) {
    throw invalidOption(`Expected \`bulkhead\` to have numeric ${fields.map((f) => `\`${f}\``).join(', ')}, got ${describeValue(bulkhead)}`);
  }
  const config = withDefaults('bulkheadCheck()', { warnAt: 0.8, failAt: 1 }, options);
  assertKnownOptions('bulkheadCheck()', config, ['warnAt', 'failAt']);
  assertNumber('warnAt', config.warnAt, { min: 0, max: 1 });
  assertNumber('failAt', config.failAt, { min: config.warnAt, max: 1 });
  const { warnAt, failAt } = config;
  return {
    measurement: 'utilization',
    componentType: 'component',
    run() {
      const { executing, queued, capacity, queueCapacity } = bulkhead;
      const saturation = (executing + queued) / (capacity + queueCapacity);
      const observedValue = Math.round(saturation * 1000) / 10;
      const status = saturation >= failAt ? 'fail' : saturation >= warnAt ? 'warn' : 'pass';
      const usage = `${executing}/${capacity} running, ${queued}/${queueCapacity} queued`;
      return { status, observedValue, observedUnit: 'percent', ...(status === 'pass' ? {} : { output: usage }) };
    },
  };
}
