import type { Disposable } from '@breakwater/core';
import { Binding, type Listen } from '../listen.ts';
import type { RegistryFamilies } from '../registry-families.ts';
import { histogramCells } from './cells-by.ts';
import { resolveBinding, type BindOptions } from './common.ts';

const STATUS_VALUES: Readonly<Record<string, number>> = { pass: 1, warn: 0.5, fail: 0 };

/** What `bindHealth()` needs: a @breakwater/health registry, by its `onCheck` event. */
export interface HealthLike {
  readonly onCheck: Listen;
}

/**
 * `health_check_status{check}` from each check's last run and `health_check_duration_seconds`.
 * Check names are the registered ones, capped like policy names (`maxPolicies`, then `other`).
 */
export function bindHealthTo(families: RegistryFamilies, health: HealthLike, options?: BindOptions): Disposable {
  resolveBinding('bindHealth()', 'health', health, ['onCheck'], options);
  const binding = new Binding();
  const statusGauge = families.gauge('healthCheckStatus');
  const durations = families.histogram('healthCheckDuration');
  const duration = histogramCells(durations.metric, {});
  // The last status of each registered check (a bounded set: the names the application registered).
  const last = new Map<string, { readonly label: string; value: number }>();
  binding.listen(health, 'onCheck', (event: unknown) => {
    const { check, status, durationMs } = (event ?? {}) as { check?: unknown; status?: unknown; durationMs?: unknown };
    if (typeof check !== 'string') return;
    const value = STATUS_VALUES[status as string] ?? 0;
    const entry = last.get(check);
    if (entry === undefined) last.set(check, { label: statusGauge.state.policies.label(check), value });
    else entry.value = value;
    if (typeof durationMs === 'number' && durationMs >= 0 && Number.isFinite(durationMs)) {
      duration({ check: durations.state.policies.label(check) }, check).observe(durationMs / 1000);
    }
  });
  // Checks folded into `other` (past the label cap) report the worst of them.
  const source = () => {
    const worst = new Map<string, number>();
    for (const { label, value } of last.values()) worst.set(label, Math.min(value, worst.get(label) ?? 1));
    return [...worst].map(([check, value]) => [{ check }, value] as const);
  };
  statusGauge.state.sources.add(source);
  binding.onDispose(() => statusGauge.state.sources.delete(source));
  return binding.toDisposable();
}
