import type { Disposable } from '@breakwater/core';
import { closedLabel } from '../labels.ts';
import { Binding, type Listen } from '../listen.ts';
import type { RegistryFamilies } from '../registry-families.ts';
import { counterCells } from './cells-by.ts';
import { bindDurations, resolveBinding, type BindOptions } from './common.ts';

const SOURCES = ['store', 'fail-open', 'memory-fallback'] as const;

/** What `bindRateLimiter()` needs: a @breakwater/rate-limit limiter, by its events. */
export interface RateLimiterLike {
  readonly name?: string;
  readonly onDecision: Listen;
  readonly onStoreError?: Listen;
  readonly onDegraded?: Listen;
  readonly onRecovered?: Listen;
  readonly onSuccess?: Listen;
  readonly onFailure?: Listen;
}

export function bindRateLimiterTo(families: RegistryFamilies, limiter: RateLimiterLike, options?: BindOptions): Disposable {
  const name = resolveBinding('bindRateLimiter()', 'rate-limit', limiter, ['onDecision'], options);
  const binding = new Binding();
  const decisions = families.counter('rateLimitDecisions');
  const storeErrors = families.counter('rateLimitStoreErrors');
  const degradedGauge = families.gauge('rateLimitDegraded');

  const decision = counterCells(decisions.metric, { limiter: decisions.state.policies.label(name) });
  binding.listen(limiter, 'onDecision', (event: unknown) => {
    const { allowed, source } = (event ?? {}) as { allowed?: unknown; source?: unknown };
    const verdict = allowed === true ? 'allowed' : 'denied';
    const from = closedLabel(source, SOURCES, 'other');
    decision({ decision: verdict, source: from }, verdict + from).inc();
  });
  const errors = storeErrors.metric.cell({ limiter: storeErrors.state.policies.label(name) });
  binding.listen(limiter, 'onStoreError', () => errors.inc());

  let degraded = 0;
  binding.listen(limiter, 'onDegraded', () => void (degraded = 1));
  binding.listen(limiter, 'onRecovered', () => void (degraded = 0));
  const labels = { limiter: degradedGauge.state.policies.label(name) };
  const source = () => [[labels, degraded] as const];
  degradedGauge.state.sources.add(source);
  binding.onDispose(() => degradedGauge.state.sources.delete(source));
  bindDurations(binding, families, limiter, name, 'rate-limit');
  return binding.toDisposable();
}
