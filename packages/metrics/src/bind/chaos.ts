import type { Disposable } from '@breakwater/core';
import type { CounterCell } from '../cells.ts';
import { closedLabel } from '../labels.ts';
import { Binding, type Listen } from '../listen.ts';
import type { RegistryFamilies } from '../registry-families.ts';
import { bindDurations, resolveBinding, type BindOptions } from './common.ts';

const CHAOS_KINDS = ['fault', 'outcome', 'latency', 'behavior'] as const;

/** What `bindChaos()` needs: a @breakwater/chaos policy, by its `onInjected` event. */
export interface ChaosLike {
  readonly name?: string;
  readonly onInjected: Listen;
  readonly onSuccess?: Listen;
  readonly onFailure?: Listen;
}

export function bindChaosTo(families: RegistryFamilies, policy: ChaosLike, options?: BindOptions): Disposable {
  const name = resolveBinding('bindChaos()', 'chaos', policy, ['onInjected'], options);
  const binding = new Binding();
  const injections = families.counter('chaosInjections');
  const label = injections.state.policies.label(name);
  const cells = new Map<string, CounterCell>();
  binding.listen(policy, 'onInjected', (event: unknown) => {
    const kind = closedLabel((event as { kind?: unknown } | undefined)?.kind, CHAOS_KINDS, 'other');
    let cell = cells.get(kind);
    if (cell === undefined) cells.set(kind, (cell = injections.metric.cell({ policy: label, kind })));
    cell.inc();
  });
  bindDurations(binding, families, policy, name, 'chaos');
  return binding.toDisposable();
}
