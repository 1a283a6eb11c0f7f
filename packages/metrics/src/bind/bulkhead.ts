import type { Disposable } from '@breakwater/core';
import type { Family } from '../families.ts';
import { Binding, type Listen } from '../listen.ts';
import type { RegistryFamilies } from '../registry-families.ts';
import { bindDurations, readNumber, resolveBinding, type BindOptions } from './common.ts';
import type { Gauge } from 'prom-client';

/**
 * What `bindBulkhead()` needs: a Breakwater `bulkhead()` (`onRejected`, getters `executing`,
 * `queued`, `capacity` read at scrape time) or a cockatiel one (`onReject`; it has no such
 * getters, so only rejections and durations are reported).
 */
export interface BulkheadLike {
  readonly name?: string;
  readonly executing?: number;
  readonly queued?: number;
  readonly capacity?: number;
  readonly onRejected?: Listen;
  readonly onReject?: Listen;
  readonly onSuccess?: Listen;
  readonly onFailure?: Listen;
}

export function bindBulkheadTo(families: RegistryFamilies, policy: BulkheadLike, options?: BindOptions): Disposable {
  const name = resolveBinding('bindBulkhead()', 'bulkhead', policy, ['onRejected', 'onReject'], options);
  const binding = new Binding();
  const rejections = families.counter('bulkheadRejections');
  const rejected = rejections.metric.cell({ policy: rejections.state.policies.label(name) });
  if (!binding.listen(policy, 'onRejected', () => rejected.inc())) {
    binding.listen(policy, 'onReject', () => rejected.inc());
  }

  const gauge = (family: Family<Gauge<string>>, key: keyof BulkheadLike): void => {
    if (readNumber(policy, key) === undefined) return;
    const labels = { policy: family.state.policies.label(name) };
    const source = () => {
      const value = readNumber(policy, key);
      return value === undefined ? [] : [[labels, value] as const];
    };
    family.state.sources.add(source);
    binding.onDispose(() => family.state.sources.delete(source));
  };
  gauge(families.gauge('bulkheadExecuting'), 'executing');
  gauge(families.gauge('bulkheadQueueDepth'), 'queued');
  gauge(families.gauge('bulkheadLimit'), 'capacity');
  bindDurations(binding, families, policy, name, 'bulkhead');
  return binding.toDisposable();
}
