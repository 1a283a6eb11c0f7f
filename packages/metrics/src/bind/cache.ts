import type { Disposable } from '@breakwater/core';
import { closedLabel } from '../labels.ts';
import { Binding, type Listen } from '../listen.ts';
import type { RegistryFamilies } from '../registry-families.ts';
import { counterCells, histogramCells } from './cells-by.ts';
import { readNumber, resolveBinding, type BindOptions } from './common.ts';

const TIERS = ['l1', 'l2'] as const;
const RESULTS = ['hit', 'stale', 'miss'] as const;
const L2_OPERATIONS = ['get', 'set', 'delete', 'deleteTags', 'deletePrefix', 'serialize', 'deserialize', 'publish', 'lock'] as const;

/** What `bindCache()` needs: a @breakwater/cache cache, by its events (and `pendingWrites`). */
export interface CacheLike {
  readonly name?: string;
  readonly pendingWrites?: number;
  readonly onGet: Listen;
  readonly onLoad?: Listen;
  readonly onL2Error?: Listen;
  readonly onFlush?: Listen;
  readonly onWriteFailed?: Listen;
}

export function bindCacheTo(families: RegistryFamilies, cache: CacheLike, options?: BindOptions): Disposable {
  const name = resolveBinding('bindCache()', 'cache', cache, ['onGet'], options);
  const binding = new Binding();
  const requests = families.counter('cacheRequests');
  const loads = families.counter('cacheLoads');
  const loadDuration = families.histogram('cacheLoadDuration');
  const l2Errors = families.counter('cacheL2Errors');
  const writes = families.counter('cacheWriteBehindWrites');
  const failures = families.counter('cacheWriteBehindFailures');

  const request = counterCells(requests.metric, { cache: requests.state.policies.label(name) });
  binding.listen(cache, 'onGet', (event: unknown) => {
    const { tier, result } = (event ?? {}) as { tier?: unknown; result?: unknown };
    const t = closedLabel(tier, TIERS, 'other');
    const r = closedLabel(result, RESULTS, 'other');
    request({ tier: t, result: r }, t + r).inc();
  });

  const load = counterCells(loads.metric, { cache: loads.state.policies.label(name) });
  const loadTime = histogramCells(loadDuration.metric, { cache: loadDuration.state.policies.label(name) });
  binding.listen(cache, 'onLoad', (event: unknown) => {
    const { ok, servedStale, durationMs } = (event ?? {}) as { ok?: unknown; servedStale?: unknown; durationMs?: unknown };
    const outcome = ok === true ? 'success' : servedStale === true ? 'stale' : 'failure';
    load({ outcome }, outcome).inc();
    if (typeof durationMs === 'number' && durationMs >= 0 && Number.isFinite(durationMs)) loadTime({ outcome }, outcome).observe(durationMs / 1000);
  });

  const l2Error = counterCells(l2Errors.metric, { cache: l2Errors.state.policies.label(name) });
  binding.listen(cache, 'onL2Error', (event: unknown) => {
    const operation = closedLabel((event as { operation?: unknown } | undefined)?.operation, L2_OPERATIONS, 'other');
    l2Error({ operation }, operation).inc();
  });

  const writeLabel = writes.state.policies.label(name);
  const persisted = writes.metric.cell({ cache: writeLabel, outcome: 'persisted' });
  const givenUp = writes.metric.cell({ cache: writeLabel, outcome: 'given-up' });
  const failed = failures.metric.cell({ cache: failures.state.policies.label(name) });
  binding.listen(cache, 'onFlush', (event: unknown) => persisted.inc(sizeOf(event)));
  binding.listen(cache, 'onWriteFailed', (event: unknown) => {
    failed.inc();
    if ((event as { final?: unknown } | undefined)?.final === true) givenUp.inc(sizeOf(event));
  });

  if (readNumber(cache, 'pendingWrites') !== undefined) {
    const pending = families.gauge('cacheWriteBehindPending');
    const labels = { cache: pending.state.policies.label(name) };
    const source = () => {
      const value = readNumber(cache, 'pendingWrites');
      return value === undefined ? [] : [[labels, value] as const];
    };
    pending.state.sources.add(source);
    binding.onDispose(() => pending.state.sources.delete(source));
  }
  return binding.toDisposable();
}

function sizeOf(event: unknown): number {
  const size = (event as { size?: unknown } | undefined)?.size;
  return typeof size === 'number' && size >= 0 && Number.isFinite(size) ? size : 0;
}
